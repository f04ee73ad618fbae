package protocompat

// RuleSets returns the rule sets rule id belongs to ("" is Confluent's).
func RuleSets(id string) []string {
	for _, r := range rules {
		if r.id == id {
			return r.sets
		}
	}
	return nil
}
