//go:build !nodemo

package main

import (
	"bufio"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptrace"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkWeb gives the web pages' figures for the closing note: time to
// the status page's first byte on loopback (the median of 21 requests,
// with a session), beside curl's for the same request; and the daemon's
// peak RSS while a browser-like client holds the live event stream of the
// jobs page during a 50-page gray job.
func BenchmarkWeb(b *testing.B) {
	for b.Loop() {
		dir := b.TempDir()
		d := start(b, dir, "-demo", "-display", "none", "-web", "127.0.0.1:0", "-pages", "50")
		m := regexp.MustCompile(`web pages: (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(d.expect("admin's web pages"))
		if m == nil {
			b.Fatal("no web address in the guide")
		}
		base := m[1]
		sock := filepath.Join(dir, "scanmaild.sock")

		// The first visit sets the password and logs in.
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		form := url.Values{"password": {"correct horse battery"}, "again": {"correct horse battery"}}
		req, _ := http.NewRequest(http.MethodPost, base+"/setup", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", base)
		res, err := c.Do(req)
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("setup: %v %v", res, err)
		}
		res.Body.Close()
		u, _ := url.Parse(base)
		var cookie string
		for _, ck := range jar.Cookies(u) {
			cookie = ck.Name + "=" + ck.Value
		}

		var ours []time.Duration
		for range 21 {
			req, _ := http.NewRequest(http.MethodGet, base+"/", nil)
			var start, first time.Time
			req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
				WroteRequest:         func(httptrace.WroteRequestInfo) { start = time.Now() },
				GotFirstResponseByte: func() { first = time.Now() },
			}))
			res, err := c.Do(req)
			if err != nil || res.StatusCode != http.StatusOK {
				b.Fatalf("status page: %v %v", res, err)
			}
			res.Body.Close()
			ours = append(ours, first.Sub(start))
		}
		b.ReportMetric(float64(median(ours).Microseconds())/1000, "ms-status-ttfb")
		var theirs []time.Duration
		for range 21 {
			out, err := exec.Command("curl", "-s", "-o", "/dev/null", "-H", "Cookie: "+cookie, "-w", "%{time_starttransfer} %{time_pretransfer}", base+"/").Output()
			if err != nil {
				b.Fatalf("curl: %v", err)
			}
			f := strings.Fields(string(out))
			st, _ := strconv.ParseFloat(f[0], 64)
			pre, _ := strconv.ParseFloat(f[1], 64)
			theirs = append(theirs, time.Duration((st-pre)*float64(time.Second)))
		}
		b.ReportMetric(float64(median(theirs).Microseconds())/1000, "ms-status-ttfb-curl")

		// The first visit's hashes (argon2id, 16 MiB each) set the peak
		// so far; the job's peak is read after it.
		b.ReportMetric(float64(peakRSS(b, d.cmd.Process.Pid))/1024, "peak-RSS-MiB-after-login")

		// A live jobs page: its event stream open while a job runs.
		req, _ = http.NewRequest(http.MethodGet, base+"/events", nil)
		res, err = c.Do(req)
		if err != nil || res.StatusCode != http.StatusOK {
			b.Fatalf("events: %v %v", res, err)
		}
		events := make(chan string, 1024)
		go func() {
			sc := bufio.NewScanner(res.Body)
			for sc.Scan() {
				events <- sc.Text()
			}
			close(events)
		}()
		if out, code := runCLI(b, sock, "config", "set", "scan.mode", "gray8"); code != 0 {
			b.Fatal(out)
		}
		si := start(b, dir, "-socket", sock, "signin")
		sm := regexp.MustCompile(`open (\S+) and enter the code (\S+)`).FindStringSubmatch(si.expect("To sign in, open"))
		browserSignIn(b, sm[1], sm[2], "scanner@contoso.example")
		si.wait()
		if out, code := runCLI(b, sock, "scan", "--to", "alice@fabrikam.example"); code != 0 {
			b.Fatalf("scan: %s", out)
		}
		res.Body.Close()
		n := 0
		for range events {
			n++
		}
		if n == 0 {
			b.Fatal("the event stream said nothing during the job")
		}
		b.ReportMetric(float64(peakRSS(b, d.cmd.Process.Pid))/1024, "peak-RSS-MiB-live-50-gray")
		d.stop()
	}
}

// peakRSS is a process's peak resident set so far, in KiB.
func peakRSS(tb testing.TB, pid int) int {
	tb.Helper()
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		tb.Fatal(err)
	}
	hwm := regexp.MustCompile(`VmHWM:\s+(\d+) kB`).FindSubmatch(status)
	if hwm == nil {
		tb.Fatalf("no VmHWM in /proc/%d/status", pid)
	}
	kb, _ := strconv.Atoi(string(hwm[1]))
	return kb
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
