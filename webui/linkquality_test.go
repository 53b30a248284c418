package webui_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"scanmail/device"
	"scanmail/device/apitype"
	"scanmail/scan"
	"scanmail/scan/link"
	"scanmail/scan/scansim"
)

// noisyScanner scans over a scanner link whose engine's frames are lost
// now and then, served on a pipe for each job, and keeps the links'
// counts as the daemon's scanner does.
type noisyScanner struct {
	line scansim.Faults
	device.LinkTally
}

func (s *noisyScanner) Scan(ctx context.Context, opts scan.Options) (scan.Source, error) {
	hc, ec := net.Pipe()
	sctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() {
		served <- link.Serve(sctx, s.line.Wrap(ec), &scansim.Simulator{}, link.EngineOptions{MaxStrip: 2048})
	}()
	shut := func() error {
		stop()
		err := <-served
		hc.Close()
		ec.Close()
		return err
	}
	h, err := link.Dial(ctx, hc, link.HostOptions{})
	if err != nil {
		return nil, errors.Join(err, shut())
	}
	s.Opened(h)
	src, err := h.Scan(ctx, opts)
	if err != nil {
		err = errors.Join(err, h.Close(), shut())
		s.Closed(h)
		return nil, err
	}
	return &noisySource{Source: src, close: func() error {
		err := errors.Join(h.Close(), shut())
		s.Closed(h)
		return err
	}}, nil
}

type noisySource struct {
	scan.Source
	close func() error
}

func (s *noisySource) Close() error { return errors.Join(s.Source.Close(), s.close()) }

// TestLinkQualityPages: after a job on a noisy scanner link, the status
// page and the job's page say the line was noisy and what to do.
func TestLinkQualityPages(t *testing.T) {
	r := newRigScanner(t, &noisyScanner{line: scansim.Faults{DropRate: 0.1, Seed: 15}})
	r.signIn(t, "scanner@contoso.example")
	job, err := r.c.Scan(context.Background(), apitype.ScanRequest{To: []string{"someone@example.com"}}, nil)
	if err != nil || job.State != apitype.JobSent || job.Link == nil {
		t.Fatalf("scan: %v %+v", err, job)
	}
	c := r.login(t, r.plain)
	_, body := get(t, c, r.plain.URL+"/")
	contains(t, body, `id="scanner-link"`, "(noisy: check the cable)", "Check the scanner cable")
	_, body = get(t, c, fmt.Sprintf("%s/jobs/%d", r.plain.URL, job.ID))
	contains(t, body, `<dt>Scanner link</dt>`, job.Link.Text(), "Check the scanner cable")
}
