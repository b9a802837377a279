
wnetwork-security-config*
    *B
:base-config"+cleartextTrafficPermittedtrue"2:@*	
4