"""Channel accounts on the networks; one adapter module per platform comes with the channels issue."""
