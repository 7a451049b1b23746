"""村通 Cuntong: the platform a county runs its rural e-commerce demonstration programme on."""
