package mailer_test

import (
	"testing"

	"scanmail/mailer"
)

func TestParseAddress(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // the address kept; "" when refused
	}{
		{"alice@example.com", "alice@example.com"},
		{"a+b.c_d-e@sub.example.com", "a+b.c_d-e@sub.example.com"},
		{"Bob <bob@example.com>", "bob@example.com"},
		{"<bob@example.com>", "bob@example.com"},
		{`"a.b"@example.com`, "a.b@example.com"}, // quoting that changes nothing
		{`"a b"@example.com`, ""},
		{`Bob <"a b"@example.com>`, ""},
		{`"a@b"@example.com`, ""},
		{`"a\"b"@example.com`, ""},
		{"a@b@c", ""},
		{"alice", ""},
		{"alice@example.com.", ""},
		{"alice.@example.com", ""},
		{".alice@example.com", ""},
		{"a..b@example.com", ""},
		{"alice@example..com", ""},
		{"älice@example.com", ""},
		{"alice@exämple.com", ""},
		{"al\u202eice@example.com", ""}, // bidi override
		{"al\u200bice@example.com", ""}, // zero-width space
		{"alice@example\u00a0.com", ""}, // no-break space
		{"alice@example.com\r\nRCPT TO:<evil@example.net>", ""},
		{"alice@example.com\nRCPT TO:<evil@example.net>", ""},
		{"alice\x00@example.com", ""},
		{"", ""},
	}
	for _, tt := range tests {
		a, err := mailer.ParseAddress(tt.in)
		switch {
		case tt.want == "" && err == nil:
			t.Errorf("%q accepted as %q", tt.in, a.Address)
		case tt.want != "" && err != nil:
			t.Errorf("%q refused: %v", tt.in, err)
		case tt.want != "" && a.Address != tt.want:
			t.Errorf("%q read as %q, want %q", tt.in, a.Address, tt.want)
		}
	}
}
