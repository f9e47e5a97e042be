package deployer

// CreationOrder exposes the kinds' order to the tests of package
// deployer_test.
func CreationOrder() []ResourceType {
	order := creationOrder()
	return order[:]
}

// HasKind reports whether t has a kind with every part a kind needs.
func HasKind(t ResourceType) bool {
	k, ok := kindOf(t)
	return ok && k.attributes != nil && k.apply != nil && k.delete != nil && k.read != nil &&
		k.cloudFormation != nil && k.terraform != nil && k.deployerPolicy != nil &&
		(k.logicalID != "" || k.sharedLogicalID != "" || t == TypeFunction)
}
