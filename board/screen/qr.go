package screen

import (
	"net/url"
	"strings"

	"rsc.io/qr/coding"
)

// qrMaxVersion is the largest QR code that fits the panel's height at two
// pixels a module: version 3 is 29 modules, 58 pixels, leaving a quiet zone
// of 3 pixels each side; version 4 would be 66.
const qrMaxVersion = 3

// encodeQR is text as the smallest QR code of at most qrMaxVersion, or nil
// when text is too long for one. Error correction M is preferred, L taken
// when M does not fit: a screen does not get dirty as paper does.
//
// A URL whose scheme and host are written in upper case takes fewer bits
// (QR's alphanumeric mode has 45 characters, upper case only, at 5.5 bits
// each), and scheme and host do not depend on case (RFC 3986 §3.1, §3.2.2):
// so https://login.microsoftonline.us/common/oauth2/deviceauth fits.
func encodeQR(text string) *coding.Code {
	if text == "" {
		return nil
	}
	candidates := [][]coding.Encoding{{plainEncoding(text)}}
	if head, rest, ok := splitURL(text); ok {
		enc := []coding.Encoding{coding.Alpha(head)}
		if rest != "" {
			enc = append(enc, plainEncoding(rest))
		}
		candidates = append(candidates, enc)
	}
	for _, level := range []coding.Level{coding.M, coding.L} {
		for v := coding.Version(coding.MinVersion); v <= qrMaxVersion; v++ {
			for _, enc := range candidates {
				bits := 0
				for _, e := range enc {
					bits += e.Bits(v)
				}
				if bits > v.DataBytes(level)*8 {
					continue
				}
				p, err := coding.NewPlan(v, level, 0)
				if err != nil {
					continue
				}
				if c, err := p.Encode(enc...); err == nil {
					return c
				}
			}
		}
	}
	return nil
}

// plainEncoding is the smallest single mode that holds s.
func plainEncoding(s string) coding.Encoding {
	switch {
	case coding.Num(s).Check() == nil:
		return coding.Num(s)
	case coding.Alpha(s).Check() == nil:
		return coding.Alpha(s)
	}
	return coding.String(s)
}

// splitURL cuts an http(s) URL after its host (and port), returning that
// head in upper case, when the head is all alphanumeric-mode characters.
func splitURL(s string) (head, rest string, ok bool) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return "", "", false
	}
	n := len(u.Scheme) + len("://") + len(u.Host)
	if len(s) < n || !strings.EqualFold(s[:n], u.Scheme+"://"+u.Host) {
		return "", "", false
	}
	head = strings.ToUpper(s[:n])
	if coding.Alpha(head).Check() != nil {
		return "", "", false
	}
	return head, s[n:], true
}
