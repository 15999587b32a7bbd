"""What the browser tests, ``make lighthouse`` and ``make screenshots`` share: a live demo
shop (``live``) and a shopper's steps in it (``shopper``)."""
