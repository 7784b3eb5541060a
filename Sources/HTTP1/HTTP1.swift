// HTTP1 module.
