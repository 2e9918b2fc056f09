"""The conversation: the turn loop, answers from the policy and what a turn needs around them."""
