"""Input channels: the website chat (socket.io, REST) and, later, messaging apps."""
