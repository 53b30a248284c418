package idptest

import (
	"fmt"
	"strings"
)

// openIDScopes are the scopes that name no resource.
var openIDScopes = []string{"openid", "profile", "email", "offline_access"}

func normalizeScope(scope string) string {
	return strings.Join(strings.Fields(scope), " ")
}

// hasScope reports whether scope lists want. Entra compares scopes without
// regard to case.
func hasScope(scope, want string) bool {
	for f := range strings.FieldsSeq(scope) {
		if strings.EqualFold(f, want) {
			return true
		}
	}
	return false
}

func isOpenIDScope(f string) bool {
	for _, o := range openIDScopes {
		if strings.EqualFold(f, o) {
			return true
		}
	}
	return false
}

// resource is the API a scope belongs to: the URI before the last slash,
// or Microsoft Graph for a bare permission name like Mail.Send.
func resource(f string) string {
	if i := strings.LastIndex(f, "/"); i > 0 {
		return strings.ToLower(f[:i])
	}
	return "https://graph.microsoft.com"
}

// checkResources refuses scopes of more than one API, since an access
// token is for one audience only (AADSTS70011).
func checkResources(scope string) *oauthError {
	first := ""
	for f := range strings.FieldsSeq(scope) {
		if isOpenIDScope(f) {
			continue
		}
		switch r := resource(f); {
		case first == "":
			first = r
		case r != first:
			return &oauthError{code: "invalid_scope", codes: []int{70011},
				desc: fmt.Sprintf("The provided value for the input parameter 'scope' is not valid. The scope '%s' asks for more than one resource (%s and %s).", scope, first, r)}
		}
	}
	return nil
}

// notGranted returns the first API scope of requested that granted lacks,
// or "".
func notGranted(requested, granted string) string {
	for f := range strings.FieldsSeq(requested) {
		if !isOpenIDScope(f) && !hasScope(granted, f) {
			return f
		}
	}
	return ""
}
