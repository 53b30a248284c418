package screen

import (
	"image"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// TestQRDecodes reads the QR code of the drawn panel back with a decoder
// that knows nothing of ours, at the panel's own resolution and as the
// golden pictures enlarge it.
func TestQRDecodes(t *testing.T) {
	for _, u := range []string{
		"https://microsoft.com/devicelogin",
		"https://login.microsoftonline.us/common/oauth2/deviceauth",
		"https://login.microsoftonline.com/common/oauth2/deviceauth",
		"http://127.0.0.1:45678/devicelogin",
		"http://[::1]:45678/devicelogin",
	} {
		t.Run(u, func(t *testing.T) {
			img := Draw(Screen{Title: "Sign in", QR: u, Lines: []string{u}, Big: "V4G64UZMQ", Keys: "Back"})
			for _, scale := range []int{1, goldenScale} {
				got, err := decodeQR(scaleUp(img, scale))
				if err != nil {
					t.Fatalf("×%d: %v", scale, err)
				}
				if !sameURL(got, u) {
					t.Fatalf("×%d: decoded %q, want %q", scale, got, u)
				}
			}
		})
	}
}

// TestQRDecodesOnLCD: on a panel whose lit pixels are dark, what the eye
// sees is Draw's picture inverted; DrawDarkOn keeps its QR code readable.
func TestQRDecodesOnLCD(t *testing.T) {
	const u = "https://microsoft.com/devicelogin"
	s := Screen{Title: "Sign in", QR: u, Big: "V4G64UZMQ", Keys: "Back"}
	seen := DrawDarkOn(s)
	for i := range seen.Pix {
		seen.Pix[i] = 255 - seen.Pix[i] // lit is dark on an LCD
	}
	got, err := decodeQR(scaleUp(seen, goldenScale))
	if err != nil || got != u {
		t.Fatalf("decoded %q, %v; want %q", got, err, u)
	}
	if plain := DrawDarkOn(Screen{Title: "Ready"}); !slices.Equal(plain.Pix, Draw(Screen{Title: "Ready"}).Pix) {
		t.Error("a screen without a QR code is not drawn as Draw draws it")
	}
}

func decodeQR(img image.Image) (string, error) {
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		return "", err
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", err
	}
	return res.GetText(), nil
}

// sameURL says whether a and b are one URL: the scheme and host of a URL
// do not depend on case (RFC 3986 §3.1, §3.2.2), the rest does.
func sameURL(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	if err1 != nil || err2 != nil {
		return a == b
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) &&
		ua.RawPath == ub.RawPath && ua.Path == ub.Path && ua.RawQuery == ub.RawQuery && ua.Fragment == ub.Fragment
}
