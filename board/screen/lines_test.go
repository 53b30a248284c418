package screen

import (
	"strings"
	"testing"
)

func TestLines(t *testing.T) {
	menu := []string{"Me", "alice@contoso.example", "Sales team", "Type an address"}
	for _, tc := range []struct {
		name       string
		s          Screen
		rows, cols int
		want       []string
	}{
		{"menu 2x16", Screen{Title: "Scan to", Menu: menu, Selected: 1, Keys: "OK Back"}, 2, 16,
			[]string{"Scan to", "> alice@contoso."}},
		{"menu 4x20", Screen{Title: "Scan to", Menu: menu, Selected: 1, Keys: "OK Back"}, 4, 20,
			[]string{"Scan to", "  Me", "> alice@contoso.exam", "  Sales team"}},
		{"menu last 4x20", Screen{Title: "Scan to", Lines: []string{"Choose:"}, Menu: menu, Selected: 9}, 4, 20,
			[]string{"Scan to", "Choose:", "  Sales team", "> Type an address"}},
		{"sign-in 2x16", Screen{Title: "Sign in", QR: "https://microsoft.com/devicelogin",
			Lines: []string{"microsoft.com/devicelogin"}, Big: "V4G64UZMQ"}, 2, 16,
			[]string{"Sign in", "   V4G64UZMQ"}},
		{"sign-in 4x20", Screen{Title: "Sign in", QR: "https://microsoft.com/devicelogin",
			Lines: []string{"microsoft.com/devicelogin"}, Big: "V4G64UZMQ"}, 4, 20,
			[]string{"Sign in", "microsoft.com/", "devicelogin", "     V4G64UZMQ"}},
		{"input 2x16", Screen{Title: "Send to", Input: "jean.dupont@contoso.example"}, 2, 16,
			[]string{"Send to", "contoso.example_"}},
		{"progress 4x20", Screen{Title: "Scanning", Lines: []string{"Page 3"}, Progress: Progress{Show: true, Done: 0.5},
			Keys: "Stop:Cancel"}, 4, 20,
			[]string{"Scanning", "Page 3", "[#######       ] 50%", "Stop:Cancel"}},
		{"error 4x20", Screen{Title: "Not sent", Lines: []string{"The mail server refused the sign-in. Ask the admin."}, Keys: "OK"}, 4, 20,
			[]string{"Not sent", "The mail server", "refused the sign-in.", "Ask the admin."}},
		{"error 4x20 with keys", Screen{Title: "Not sent", Lines: []string{"The server refused."}, Keys: "OK"}, 4, 20,
			[]string{"Not sent", "The server refused.", "", "OK"}},
		{"accents", Screen{Title: "Réglages → Wi-Fi"}, 2, 16, []string{"Reglages \x7e Wi-Fi", ""}},
		{"empty", Screen{}, 2, 16, []string{"", ""}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Lines(tc.s, tc.rows, tc.cols)
			if len(got) != tc.rows {
				t.Fatalf("%d rows, want %d", len(got), tc.rows)
			}
			for i, want := range tc.want {
				want += strings.Repeat(" ", tc.cols-len(want))
				if got[i] != want {
					t.Errorf("row %d = %q, want %q", i, got[i], want)
				}
			}
		})
	}
}
