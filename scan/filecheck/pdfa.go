package filecheck

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// PDFA fails tb unless pdf keeps every PDF/A-2b rule scanmail's writer
// keeps, as pdfcpu reads the file and again as qpdf's JSON shows it (no
// PDF/A validator is packaged): the header, the trailer's /ID, no
// encryption, the Info entries info names (Title, Author, Producer,
// CreationDate), XMP metadata saying PDF/A-2b and what Info says, one sRGB
// output intent with an ICC v2 profile, every image in a device colour
// space or a stencil mask, and nothing transparent, scripted or embedded.
func PDFA(tb testing.TB, pdf []byte, info map[string]string) {
	tb.Helper()
	if !regexp.MustCompile(`^%PDF-1\.[0-7]\n%`).Match(pdf) || len(pdf) < 14 || slices.ContainsFunc(pdf[10:14], func(c byte) bool { return c < 0x80 }) {
		tb.Errorf("header %q: want %%PDF-1.n and a comment of four bytes above 127", pdf[:min(len(pdf), 16)])
	}
	for _, r := range []struct {
		name  string
		facts func(testing.TB, []byte) pdfaFacts
	}{{"pdfcpu", pdfcpuFacts}, {"qpdf", qpdfFacts}} {
		f := r.facts(tb, pdf)
		f.reader = r.name
		checkPDFA(tb, f, info)
	}
}

// pdfaFacts is what a reader found in a PDF that the PDF/A-2b rules
// checked here are about; pdfcpu and qpdf each fill one.
type pdfaFacts struct {
	reader      string            // who read them
	ids         int               // strings in the trailer's /ID
	encrypted   bool              // the trailer has /Encrypt
	info        map[string]string // the Info dictionary's text entries
	metaSubtype string            // the catalog's /Metadata stream's /Subtype
	xmp         []byte
	intents     []string // the output intents' /S
	iccN        int      // /N of the output intent's profile
	icc         []byte
	images      []string // each image's colour space, or ImageMask
	forbidden   []string // keys PDF/A-2b as written here must not have
}

// forbiddenKeys mean transparency (SMask, Group, CA, ca, BM), encryption,
// scripts, embedded files or alternates, none of which scanmail writes
// and the last of which PDF/A-2b forbids outright.
var forbiddenKeys = []string{"Encrypt", "SMask", "Group", "CA", "ca", "BM", "JS", "JavaScript", "AA", "EmbeddedFiles", "Alternates", "OPI", "Interpolate"}

func checkPDFA(t testing.TB, f pdfaFacts, info map[string]string) {
	t.Helper()
	reader := f.reader
	errorf, _ := reporters(t, reader)
	if f.ids != 2 {
		errorf("trailer /ID has %d strings, want 2", f.ids)
	}
	if f.encrypted {
		errorf("the file is encrypted")
	}
	for k, v := range info {
		if f.info[k] != v {
			errorf("Info /%s = %q, want %q", k, f.info[k], v)
		}
	}
	if f.metaSubtype != "XML" {
		errorf("catalog /Metadata /Subtype %q, want XML", f.metaSubtype)
	}
	checkXMP(t, reader, f.xmp, f.info)
	if !slices.Equal(f.intents, []string{"GTS_PDFA1"}) || f.iccN != 3 {
		errorf("output intents %v with a profile of /N %d, want [GTS_PDFA1] of 3", f.intents, f.iccN)
	}
	checkICC(t, reader, f.icc)
	if len(f.images) == 0 {
		errorf("no images")
	}
	for _, cs := range f.images {
		// The device colour spaces are device independent under the
		// output intent; a stencil mask has none.
		if cs != "DeviceGray" && cs != "DeviceRGB" && cs != "ImageMask" {
			errorf("an image's colour space is %q, want DeviceGray or DeviceRGB", cs)
		}
	}
	if len(f.forbidden) > 0 {
		errorf("keys PDF/A-2b as written here must not have: %v", f.forbidden)
	}
}

// checkXMP wants the XMP packet to say PDF/A-2b and what the Info
// dictionary, info, says.
func checkXMP(t testing.TB, reader string, packet []byte, info map[string]string) {
	t.Helper()
	errorf, fatalf := reporters(t, reader)
	if !bytes.HasPrefix(packet, []byte("<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>")) ||
		!bytes.HasSuffix(bytes.TrimSpace(packet), []byte(`<?xpacket end="w"?>`)) {
		errorf("XMP packet without its xpacket wrapper:\n%s", packet)
	}
	props := map[string]string{} // by namespace and name, the text in it
	dec := xml.NewDecoder(bytes.NewReader(packet))
	var stack []xml.Name
	desc := -1
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			fatalf("XMP packet: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if tok.Name.Local == "Description" {
				desc = len(stack) + 1
			}
			stack = append(stack, tok.Name)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if desc > 0 && len(stack) > desc {
				k := stack[desc].Space + " " + stack[desc].Local
				props[k] += strings.TrimSpace(string(tok))
			}
		}
	}
	// What Info says, XMP must say, and nothing Info does not.
	want := map[string]string{
		"http://www.aiim.org/pdfa/ns/id/ part":        "2",
		"http://www.aiim.org/pdfa/ns/id/ conformance": "B",
		"http://purl.org/dc/elements/1.1/ title":      info["Title"],
		"http://purl.org/dc/elements/1.1/ creator":    info["Author"],
		"http://ns.adobe.com/pdf/1.3/ Producer":       info["Producer"],
		"http://ns.adobe.com/xap/1.0/ CreateDate":     "",
	}
	if d := info["CreationDate"]; d != "" {
		created, err := time.Parse("D:20060102150405-0700", strings.ReplaceAll(d, "'", ""))
		if err != nil {
			fatalf("Info CreationDate: %v", err)
		}
		// The same instant and the same offset from UTC.
		x, err := time.Parse(time.RFC3339, props["http://ns.adobe.com/xap/1.0/ CreateDate"])
		_, xoff := x.Zone()
		_, off := created.Zone()
		if err != nil || !x.Equal(created) || xoff != off {
			errorf("XMP CreateDate %q (%v), want %s as Info says", props["http://ns.adobe.com/xap/1.0/ CreateDate"], err, created)
		}
		delete(want, "http://ns.adobe.com/xap/1.0/ CreateDate")
	}
	for k, v := range want {
		if props[k] != v {
			errorf("XMP %s = %q, want %q", k, props[k], v)
		}
	}
}

// checkICC reads the output intent's profile as a colour management module
// would start to: an ICC v2 RGB display profile whose colorants add up to
// the D50 white and whose curves are sRGB's.
func checkICC(t testing.TB, reader string, p []byte) {
	t.Helper()
	errorf, fatalf := reporters(t, reader)
	be := binary.BigEndian
	if len(p) < 132 || int(be.Uint32(p)) != len(p) {
		fatalf("ICC profile of %d bytes says it has %d", len(p), be.Uint32(p[:min(len(p), 4)]))
	}
	if string(p[36:40]) != "acsp" || p[8] != 2 || string(p[12:16]) != "mntr" || string(p[16:20]) != "RGB " || string(p[20:24]) != "XYZ " {
		fatalf("ICC header %q: want acsp, version 2, mntr, RGB, XYZ", p[:40])
	}
	fixed := func(b []byte) float64 { return float64(int32(be.Uint32(b))) / 65536 }
	tags := map[string][]byte{}
	n := int(be.Uint32(p[128:]))
	for i := range n {
		e := p[132+12*i:]
		off, size := int(be.Uint32(e[4:])), int(be.Uint32(e[8:]))
		if off+size > len(p) || off%4 != 0 {
			fatalf("ICC tag %q at %d+%d outside the profile or unaligned", e[:4], off, size)
		}
		tags[string(e[:4])] = p[off : off+size]
	}
	types := map[string]string{"desc": "desc", "cprt": "text", "wtpt": "XYZ ", "rXYZ": "XYZ ", "gXYZ": "XYZ ", "bXYZ": "XYZ ", "rTRC": "curv", "gTRC": "curv", "bTRC": "curv"}
	for sig, typ := range types {
		if d := tags[sig]; len(d) < 12 || string(d[:4]) != typ {
			fatalf("ICC tag %s missing or not of type %q", sig, typ)
		}
	}
	for i, white := range []float64{0.9642, 1, 0.8249} {
		sum := 0.0
		for _, c := range []string{"rXYZ", "gXYZ", "bXYZ"} {
			sum += fixed(tags[c][8+4*i:])
		}
		if math.Abs(sum-white) > 0.001 || math.Abs(fixed(p[68+4*i:])-white) > 0.001 {
			errorf("ICC colorants add up to %.4f in component %d, illuminant %.4f, want D50's %.4f", sum, i, fixed(p[68+4*i:]), white)
		}
	}
	for _, c := range []string{"rTRC", "gTRC", "bTRC"} {
		curve := tags[c]
		count := int(be.Uint32(curve[8:]))
		at := func(x float64) float64 { return float64(be.Uint16(curve[12+2*int(x*float64(count-1)):])) / 65535 }
		if count < 256 || len(curve) < 12+2*count || at(0) != 0 || at(1) != 1 || math.Abs(at(0.5)-0.2140) > 0.002 {
			errorf("ICC %s of %d points is not sRGB's curve (0.5 maps to %.4f, want 0.2140)", c, count, at(0.5))
		}
	}
}

// reporters are tb's Errorf and Fatalf naming the reader whose view of
// the file failed.
func reporters(tb testing.TB, reader string) (errorf, fatalf func(string, ...any)) {
	return func(format string, args ...any) {
			tb.Helper()
			tb.Errorf(reader+": "+format, args...)
		}, func(format string, args ...any) {
			tb.Helper()
			tb.Fatalf(reader+": "+format, args...)
		}
}

// pdfcpuFacts reads the PDF/A facts with pdfcpu's object model.
func pdfcpuFacts(t testing.TB, b []byte) pdfaFacts {
	t.Helper()
	conf := model.NewDefaultConfiguration()
	ctx, err := api.ReadContext(bytes.NewReader(b), conf)
	if err != nil {
		t.Fatal(err)
	}
	x := ctx.XRefTable
	f := pdfaFacts{ids: len(x.ID), encrypted: x.Encrypt != nil, info: map[string]string{}}
	if x.Info != nil {
		d, err := x.DereferenceDict(*x.Info)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range d {
			if s, err := x.DereferenceText(v); err == nil {
				f.info[k] = s
			}
		}
	}
	root, err := x.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	stream := func(o types.Object) (types.Dict, []byte) {
		sd, _, err := x.DereferenceStreamDict(o)
		if err != nil || sd == nil {
			t.Fatalf("not a stream: %v (%v)", o, err)
		}
		if err := sd.Decode(); err != nil {
			t.Fatal(err)
		}
		return sd.Dict, sd.Content
	}
	meta, xmp := stream(root["Metadata"])
	f.xmp = xmp
	if s := meta.NameEntry("Subtype"); s != nil {
		f.metaSubtype = *s
	}
	intents, err := x.DereferenceArray(root["OutputIntents"])
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range intents {
		d, err := x.DereferenceDict(o)
		if err != nil {
			t.Fatal(err)
		}
		if s := d.NameEntry("S"); s != nil {
			f.intents = append(f.intents, *s)
		}
		dict, icc := stream(d["DestOutputProfile"])
		f.icc = icc
		if n := dict.IntEntry("N"); n != nil {
			f.iccN = *n
		}
	}
	var walk func(o types.Object)
	walk = func(o types.Object) {
		switch o := o.(type) {
		case types.Dict:
			for k, v := range o {
				if slices.Contains(forbiddenKeys, k) {
					f.forbidden = append(f.forbidden, k)
				}
				walk(v)
			}
		case types.Array:
			for _, v := range o {
				walk(v)
			}
		case types.StreamDict:
			walk(o.Dict)
			if s := o.Dict.NameEntry("Subtype"); s != nil && *s == "Image" {
				if m := o.Dict.BooleanEntry("ImageMask"); m != nil && *m {
					f.images = append(f.images, "ImageMask")
				} else {
					f.images = append(f.images, fmt.Sprint(o.Dict["ColorSpace"]))
				}
			}
		}
	}
	for _, e := range x.Table {
		if e != nil && !e.Free {
			walk(e.Object)
		}
	}

	return f
}

// qpdfFacts reads the PDF/A facts from qpdf's JSON of the file: its
// objects and trailer, and the images qpdf finds on each page.
func qpdfFacts(t testing.TB, b []byte) pdfaFacts {
	t.Helper()
	qpdf, err := Tool("qpdf")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "a.pdf")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(qpdf, "--json=2", "--json-key=qpdf", "--json-key=pages", "--json-stream-data=inline", "--decode-level=generalized", file).Output()
	if err != nil {
		t.Fatalf("qpdf --json: %v", err)
	}
	type object struct {
		Value  any `json:"value"`
		Stream *struct {
			Dict map[string]any `json:"dict"`
			Data string         `json:"data"`
		} `json:"stream"`
	}
	var doc struct {
		QPDF  []map[string]json.RawMessage `json:"qpdf"`
		Pages []struct {
			Images []struct {
				ColorSpace any    `json:"colorspace"`
				Object     string `json:"object"`
			} `json:"images"`
		} `json:"pages"`
	}
	if err := json.Unmarshal(out, &doc); err != nil || len(doc.QPDF) != 2 {
		t.Fatalf("qpdf --json: %v", err)
	}
	objs := map[string]object{}
	for k, raw := range doc.QPDF[1] {
		var o object
		if err := json.Unmarshal(raw, &o); err != nil {
			t.Fatal(err)
		}
		objs[strings.TrimPrefix(k, "obj:")] = o
	}
	// qpdf writes text strings as u:text, binary ones as b:hex.
	text := func(v any) string {
		s, _ := v.(string)
		if h, ok := strings.CutPrefix(s, "b:"); ok {
			raw, _ := hex.DecodeString(h)
			return string(raw)
		}
		return strings.TrimPrefix(strings.TrimPrefix(s, "u:"), "/")
	}
	dict := func(v any) map[string]any {
		if ref, ok := v.(string); ok {
			v = objs[ref].Value
		}
		d, _ := v.(map[string]any)
		return d
	}
	stream := func(v any) (map[string]any, []byte) {
		ref, _ := v.(string)
		s := objs[ref].Stream
		if s == nil {
			t.Fatalf("%v is not a stream", v)
		}
		data, err := base64.StdEncoding.DecodeString(s.Data)
		if err != nil {
			t.Fatal(err)
		}
		return s.Dict, data
	}
	trailer := dict(objs["trailer"].Value)
	ids, _ := trailer["/ID"].([]any)
	f := pdfaFacts{ids: len(ids), info: map[string]string{}}
	_, f.encrypted = trailer["/Encrypt"]
	for k, v := range dict(trailer["/Info"]) {
		f.info[strings.TrimPrefix(k, "/")] = text(v)
	}
	root := dict(trailer["/Root"])
	meta, xmp := stream(root["/Metadata"])
	f.metaSubtype, f.xmp = text(meta["/Subtype"]), xmp
	intents, _ := root["/OutputIntents"].([]any)
	for _, o := range intents {
		d := dict(o)
		f.intents = append(f.intents, text(d["/S"]))
		profile, icc := stream(d["/DestOutputProfile"])
		n, _ := profile["/N"].(float64)
		f.iccN, f.icc = int(n), icc
	}
	for _, pg := range doc.Pages {
		for _, im := range pg.Images {
			if m, _ := objs[im.Object].Stream.Dict["/ImageMask"].(bool); m {
				f.images = append(f.images, "ImageMask")
			} else {
				f.images = append(f.images, text(im.ColorSpace))
			}
		}
	}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				if slices.Contains(forbiddenKeys, strings.TrimPrefix(k, "/")) {
					f.forbidden = append(f.forbidden, k)
				}
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		}
	}
	for _, o := range objs {
		walk(o.Value)
		if o.Stream != nil {
			walk(o.Stream.Dict)
		}
	}
	return f
}
