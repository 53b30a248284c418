package screen

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata/panel")

// goldenScale is how many image pixels show one panel pixel, so that a
// person can judge the pictures on a desktop screen.
const goldenScale = 4

// typical are the screens whose pictures are kept in testdata/panel.
var typical = []struct {
	name string
	s    Screen
}{
	{"signin", Screen{
		Title: "Sign in",
		QR:    "https://microsoft.com/devicelogin",
		Lines: []string{"microsoft.com/devicelogin"},
		Big:   "V4G64UZMQ",
		Keys:  "Back:Cancel",
	}},
	{"signin-us", Screen{
		Title: "Sign in",
		QR:    "https://login.microsoftonline.us/common/oauth2/deviceauth",
		Lines: []string{"login.microsoftonline.us/common/oauth2/deviceauth"},
		Big:   "FJ8ZQ2LMN",
	}},
	{"qr-too-long", Screen{
		Title: "Sign in",
		QR:    "https://login.example.com/device?tenant=0d8f3c2e-6b1a-4f5e-9c7d-2a4b6c8e0f13",
		Big:   "V4G64UZMQ",
		Keys:  "Back",
	}},
	{"menu", Screen{
		Title:    "Scan to",
		Menu:     []string{"Me", "alice@contoso.example", "Sales team", "Type an address", "Quick Sets", "Settings"},
		Selected: 3,
		Keys:     "OK:Choose  Back",
	}},
	{"menu-prompt", Screen{
		Title:    "Settings",
		Lines:    []string{"Choose one:"},
		Menu:     []string{"Network", "Mail", "Sign out", "About", "Restart"},
		Selected: 4,
		Keys:     "OK  Back",
	}},
	{"progress", Screen{
		Title:    "Scanning",
		Lines:    []string{"Page 3 of 5", "to alice@contoso.example"},
		Progress: Progress{Show: true, Done: 0.6},
		Keys:     "Stop:Cancel",
	}},
	{"error", Screen{
		Title: "Not sent",
		Lines: []string{"The mail server refused the sign-in.", "Ask the admin to sign in again."},
		Keys:  "OK",
	}},
	{"input", Screen{
		Title: "Send to",
		Lines: []string{"Type the address:"},
		Input: "jean.dupont@contoso.example",
		Keys:  "OK:Send  Back:Delete",
	}},
	{"ready-alert", Screen{
		Title: "Not ready",
		Lines: []string{"Sign-in needed - ask your admin", "! Sign-in ended", "scanner@contoso.example"},
		Menu:  []string{"Scan to Email"},
		Keys:  "OK:Pick Menu:Admin",
	}},
	{"sent-blank", Screen{
		Title: "Sent",
		Lines: []string{"3 pages sent.", "1 blank page left out.", "to alice@fabrikam.example"},
		Keys:  "OK",
	}},
	{"sent-noisy", Screen{
		Title: "Sent",
		Lines: []string{"2 pages sent.", "Scanner cable noisy: tell the admin.", "to alice@fabrikam.example"},
		Keys:  "OK",
	}},
	{"code", Screen{
		Title: "Admin PIN",
		Big:   "4711",
		Keys:  "OK  Back",
	}},
}

func TestGolden(t *testing.T) {
	dir := filepath.Join("testdata", "panel")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range typical {
		t.Run(tc.name, func(t *testing.T) {
			got := scaleUp(Draw(tc.s), goldenScale)
			path := filepath.Join(dir, tc.name+".png")
			if *update {
				var b bytes.Buffer
				if err := png.Encode(&b, got); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			f, err := os.Open(path)
			if err != nil {
				t.Fatalf("%v (run with -update to write it)", err)
			}
			defer f.Close()
			want, err := png.Decode(f)
			if err != nil {
				t.Fatal(err)
			}
			if !want.Bounds().Eq(got.Bounds()) {
				t.Fatalf("size %v, golden %v", got.Bounds(), want.Bounds())
			}
			for y := range got.Bounds().Dy() {
				for x := range got.Bounds().Dx() {
					g, _, _, _ := got.At(x, y).RGBA()
					w, _, _, _ := want.At(x, y).RGBA()
					if g != w {
						t.Fatalf("pixel (%d, %d) of the panel differs from %s (run with -update if the change is meant)",
							x/goldenScale, y/goldenScale, path)
					}
				}
			}
		})
	}
}

// scaleUp enlarges img by n, nearest neighbour.
func scaleUp(img *image.Gray, n int) *image.Gray {
	b := img.Bounds()
	out := image.NewGray(image.Rect(0, 0, b.Dx()*n, b.Dy()*n))
	for y := range out.Rect.Dy() {
		for x := range out.Rect.Dx() {
			out.SetGray(x, y, img.GrayAt(b.Min.X+x/n, b.Min.Y+y/n))
		}
	}
	return out
}
