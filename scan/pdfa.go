package scan

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// PDF/A-2b is written with the same pages as any PDF: every image already
// names its colour space (DeviceGray or DeviceRGB, which the sRGB output
// intent makes device independent), nothing is transparent or encrypted,
// and the header's comment has high bytes. What PDF/A adds is written at
// Close, after the pages, so the pages still stream as they come: the XMP
// metadata and the output intent's ICC profile.

// writePDFA writes the metadata stream and the ICC profile as objects of
// their own and returns what the catalog adds to point at them.
func (p *PDFWriter) writePDFA(info docInfo) string {
	meta := len(p.offsets)
	xmp := xmpPacket(info)
	p.beginObj(meta)
	fmt.Fprintf(&p.cw, "<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n%s\nendstream\nendobj\n", len(xmp), xmp)

	icc := len(p.offsets)
	profile := sRGBProfile()
	p.beginObj(icc)
	fmt.Fprintf(&p.cw, "<< /N 3 /Length %d >>\nstream\n", len(profile))
	p.cw.Write(profile)
	p.cw.WriteString("\nendstream\nendobj\n")

	return fmt.Sprintf(" /Metadata %d 0 R /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1"+
		" /OutputConditionIdentifier (sRGB IEC61966-2.1) /RegistryName (http://www.color.org)"+
		" /Info (sRGB IEC61966-2.1) /DestOutputProfile %d 0 R >>]", meta, icc)
}

// docInfo is what both the Info dictionary and the XMP metadata say.
type docInfo struct {
	title, author, producer string
	created                 time.Time // zero: not said
}

// infoDict is the document information dictionary.
func (d docInfo) infoDict() string {
	s := "<< /Producer " + pdfString(d.producer)
	if d.title != "" {
		s += " /Title " + pdfString(d.title)
	}
	if d.author != "" {
		s += " /Author " + pdfString(d.author)
	}
	if !d.created.IsZero() {
		s += " /CreationDate (" + pdfDate(d.created) + ")"
	}
	return s + " >>"
}

// fileID is the trailer's file identifier: a digest of what the file says
// of itself and of its size, the same twice for a file never changed.
func (d docInfo) fileID(size int64, pages int) string {
	sum := md5.Sum(fmt.Appendf(nil, "%q %q %q %s %d %d", d.title, d.author, d.producer, d.created.Format(time.RFC3339Nano), size, pages))
	h := hex.EncodeToString(sum[:])
	return "[<" + h + "> <" + h + ">]"
}

// pdfDate is t as a PDF date: D:YYYYMMDDHHmmSS+HH'mm'.
func pdfDate(t time.Time) string {
	_, off := t.Zone()
	sign := '+'
	if off < 0 {
		sign, off = '-', -off
	}
	return fmt.Sprintf("D:%s%c%02d'%02d'", t.Format("20060102150405"), sign, off/3600, off/60%60)
}

// xmpDate is t as XMP writes it, the same instant and offset as pdfDate.
func xmpDate(t time.Time) string { return t.Format("2006-01-02T15:04:05-07:00") }

// xmpPacket is the XMP metadata of a PDF/A-2b file, agreeing with the Info
// dictionary as PDF/A requires.
func xmpPacket(d docInfo) string {
	var b strings.Builder
	b.WriteString("<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n" +
		"<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n" +
		"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n" +
		"<rdf:Description rdf:about=\"\"" +
		" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"" +
		" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"" +
		" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"" +
		" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n" +
		"<pdfaid:part>2</pdfaid:part>\n" +
		"<pdfaid:conformance>B</pdfaid:conformance>\n" +
		"<dc:format>application/pdf</dc:format>\n")
	if d.title != "" {
		b.WriteString("<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">" + xmlText(d.title) + "</rdf:li></rdf:Alt></dc:title>\n")
	}
	if d.author != "" {
		b.WriteString("<dc:creator><rdf:Seq><rdf:li>" + xmlText(d.author) + "</rdf:li></rdf:Seq></dc:creator>\n")
	}
	if !d.created.IsZero() {
		b.WriteString("<xmp:CreateDate>" + xmpDate(d.created) + "</xmp:CreateDate>\n")
	}
	b.WriteString("<pdf:Producer>" + xmlText(d.producer) + "</pdf:Producer>\n" +
		"</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>")
	return b.String()
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;")

func xmlText(s string) string { return xmlEscaper.Replace(s) }
