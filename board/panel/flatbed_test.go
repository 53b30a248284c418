package panel_test

import (
	"bytes"
	"context"
	"testing"

	"scanmail/board/screen"
	"scanmail/device/apitype"
)

// TestGlassAndOptions: the operator scans from the glass, a page at a
// time ("More pages?" after each), in colour with one file a page; the
// options reach the job, and stay for the next operator.
func TestGlassAndOptions(t *testing.T) {
	r := newRig(t, rigOptions{})
	r.ready(t)
	r.pick(t, "Scan to Email")
	r.typeAddress(t)
	r.pick(t, "Options")
	r.rec.expect(t, "options", has("[Options]", "Colour: B&W", "Resolution: 75 dpi", "File: PDF", "One file", "Source: Feeder"))
	r.press(right) // B&W → Colour
	r.rec.expect(t, "colour", has("Colour: Colour"))
	r.pick(t, "One file")
	r.rec.expect(t, "a file a page", has("One file a page"))
	r.pick(t, "Source: Feeder")
	r.rec.expect(t, "glass", has("Source: Glass"))
	r.press(back)
	r.rec.expect(t, "compose", has("[Scan to Email]", "Colour 75dpi PDF Glass"))
	r.press(start)

	r.rec.expect(t, "more pages?", has("[More pages?]", "1 page scanned.", "(Scan next page)"))
	r.press(ok)
	r.rec.expectNew(t, "more pages? again", has("[More pages?]", "2 pages scanned.", "(Scan next page)"))
	r.press(down)
	r.rec.expect(t, "done highlighted", selected("Done: send it"))
	r.press(ok)
	r.rec.expect(t, "sent", has("[Sent]", "2 pages sent."))

	jobs := r.jobs(t)
	if len(jobs) != 1 || jobs[0].Pages != 2 {
		t.Fatalf("jobs %+v", jobs)
	}
	msgs := r.ms.SMTP.Messages()
	if len(msgs) != 1 || !bytes.Contains(msgs[0].Data, []byte("-p002.pdf")) {
		t.Fatalf("%d messages; want one with a PDF a page", len(msgs))
	}
	r.press(ok)
	r.pick(t, "Scan to Email")
	r.rec.expect(t, "the same options", has("To: no one yet", "Colour 75dpi PDF Glass"))

	// The glass waits for the operator; Stop there cancels.
	r.typeAddress(t)
	r.press(start)
	r.rec.expect(t, "more pages?", func(s screen.Screen) bool { return s.Title == "More pages?" })
	r.press(stop)
	r.rec.expect(t, "canceled", has("[Canceled]", "Nothing was sent."))
	if jobs, _ := r.c.Jobs(context.Background(), 1); len(jobs) != 1 || jobs[0].State != apitype.JobCanceled {
		t.Fatalf("jobs %+v", jobs)
	}
	if n := len(r.ms.SMTP.Messages()); n != 1 {
		t.Fatalf("%d messages", n)
	}
}
