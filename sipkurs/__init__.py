"""The SIP course application: command line, participant and trainer UI, store and serving."""

__version__ = "0.1.0"
