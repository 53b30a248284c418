package device

import (
	"encoding/json"
	"slices"
	"testing"
)

// TestAddressesReadBack: the device address, a scan's recipients and the
// account named by the id_token are taken only as the SMTP envelope will
// carry them; "a b"@x.com used to be kept as a b@x.com and fail after the
// scan.
func TestAddressesReadBack(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		bare      bool   // accepted as device address and UPN
		recipient string // kept as a recipient; "" when refused
	}{
		{"scanner@contoso.example", true, "scanner@contoso.example"},
		{"Bob <bob@contoso.example>", false, "bob@contoso.example"},
		{"<bob@contoso.example>", false, "bob@contoso.example"},
		{`"a b"@contoso.example`, false, ""},
		{`Bob <"a b"@contoso.example>`, false, ""},
		{`"a.b"@contoso.example`, false, "a.b@contoso.example"},
		{"a@b@contoso.example", false, ""},
		{"scanner@contoso.example.", false, ""},
		{"scänner@contoso.example", false, ""},
		{"scan\u202Ener@contoso.example", false, ""},
		{"scanner@contoso.example\r\nRCPT TO:<evil@example.net>", false, ""},
		{"scanner", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if _, err := parseBareAddress(tt.in); (err == nil) != tt.bare {
				t.Errorf("parseBareAddress: %v, want accepted %v", err, tt.bare)
			}
			s := DefaultSettings()
			if err := s.Set("device_address", tt.in); (err == nil) != tt.bare {
				t.Errorf("device_address: %v, want accepted %v", err, tt.bare)
			}
			const tid = "00000000-0000-0000-0000-000000000001"
			claims := `{"aud":"app","tid":"` + tid + `","iss":"https://login.example/` + tid + `/v2.0","preferred_username":` + quoteJSON(tt.in) + `}`
			as, err := readIDToken("eyJhbGciOiJub25lIn0."+b64(claims)+".sig",
				idTokenWant{clientID: "app", tokenURL: "https://login.example/common/oauth2/v2.0/token", tenant: "common"})
			if upn := as.upn; (err == nil) != tt.bare || err == nil && upn != tt.in {
				t.Errorf("id_token UPN: %q, %v, want accepted %v", upn, err, tt.bare)
			}
			got, err := recipients([]string{tt.in})
			switch {
			case tt.recipient == "" && err == nil:
				t.Errorf("recipient accepted as %q", got)
			case tt.recipient != "" && (err != nil || !slices.Equal(got, []string{tt.recipient})):
				t.Errorf("recipient %q, %v, want %q", got, err, tt.recipient)
			}
		})
	}
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
