"""HTTP routers: each translates HTTP to calls of the kg library."""
