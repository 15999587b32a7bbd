"""Back-in-stock alerts: "E-mail me when it is back" on a size that is sold out."""
