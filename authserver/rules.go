package authserver

import (
	"cmp"
	"slices"

	"github.com/cimd-dev/cimd/validate"
)

// asRuleOrder lists the codes of RULES.md §6 in table order; findings are
// sorted by it so output does not depend on the order checks run in.
var asRuleOrder = [...]string{
	"as-discovery",
	"as-resource-mismatch",
	"as-issuer-mismatch",
	"as-metadata-invalid",
	"as-endpoint-not-https",
	"as-cimd-unsupported",
	"as-auth-method",
	"as-auth-method-order",
	"as-pkce",
	"as-response-type",
	"as-grant-type",
	"as-signing-alg",
	"as-iss-parameter",
	"as-probe-rejected",
	"as-probe-inconclusive",
	"as-probe-accepted",
	"as-token-refused",
	"as-token-failed",
	"as-token-issued",
}

// SortFindings puts fs in RULES.md §6 order, keeping the order of findings
// of one rule. Codes from other sections sort before the as-* ones.
func SortFindings(fs []validate.Finding) {
	slices.SortStableFunc(fs, func(a, b validate.Finding) int {
		return cmp.Compare(slices.Index(asRuleOrder[:], a.Rule), slices.Index(asRuleOrder[:], b.Rule))
	})
}

func finding(rule string, sev validate.Severity, msg string) validate.Finding {
	return validate.Finding{Rule: rule, Severity: sev, Message: msg}
}
