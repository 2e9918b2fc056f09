"""The edges: each module turns one channel's protocol into turns of the channel-neutral bot."""
