"""Where the shop delivers (zones of countries and states), how (delivery methods with
prices, times and free-delivery thresholds), and the tax rate of each destination."""
