// Sockets module.
