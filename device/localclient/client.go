// Package localclient talks to the running daemon (scanmaild) over its local API
// socket. It is what the daemon's subcommands use; it stays free of the
// daemon's heavy dependencies (bbolt, periph), which a test checks.
package localclient

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"scanmail/device/apitype"
)

// Client calls the local API on the Unix socket at Socket. Its zero value
// calls the daemon on the board (apitype.BoardSocket).
type Client struct {
	Socket string // "" means apitype.BoardSocket
	// Transport replaces the Unix socket, for tests.
	Transport http.RoundTripper
}

// Error is an answer of the daemon that refused a call, or the reason a
// job or sign-in ended as it did (see JobError and SignInError).
type Error struct {
	Status  int // the HTTP status; 0 for a job's or a sign-in's reason
	Message string
	Hint    string
	Code    apitype.ErrorCode
	Key     string // the setting concerned, for the setting codes
	// RetryAt, for apitype.CodePINLocked and apitype.CodePasswordLocked,
	// is when the next try is taken.
	RetryAt time.Time
}

func (e *Error) Error() string { return e.Message }

// ErrorCode is the daemon's code for err: what went wrong, for a program
// to react to. It is "" for an error that is not the daemon's answer,
// such as ErrNotRunning.
func ErrorCode(err error) apitype.ErrorCode {
	if e, ok := errors.AsType[*Error](err); ok {
		if e.Code == "" && e.Status != 0 {
			return apitype.CodeInternal // a daemon older than codes
		}
		return e.Code
	}
	return ""
}

// IsBusy reports whether the scanner, or the job, is busy right now.
func IsBusy(err error) bool { return ErrorCode(err) == apitype.CodeBusy }

// IsNoJob reports whether there is no job with the number asked for.
func IsNoJob(err error) bool { return ErrorCode(err) == apitype.CodeNoJob }

// IsSignInNeeded reports whether the device needs an admin to sign in.
func IsSignInNeeded(err error) bool { return ErrorCode(err) == apitype.CodeSignInNeeded }

// IsShuttingDown reports whether the daemon is stopping.
func IsShuttingDown(err error) bool { return ErrorCode(err) == apitype.CodeShuttingDown }

// JobError is why job is not sent, as an *Error, or nil when nothing
// stands in its way (sent to everyone, or still under way).
func JobError(job apitype.Job) error {
	if job.Error == "" || job.State == apitype.JobScanning || job.State == apitype.JobSending {
		return nil
	}
	return &Error{Message: job.Error, Hint: job.Hint, Code: job.ErrorCode}
}

// SignInError is why a sign-in failed, as an *Error, or nil.
func SignInError(s apitype.SignIn) error {
	if s.State != apitype.SignInFailed {
		return nil
	}
	return &Error{Message: s.Error, Hint: s.Hint, Code: s.ErrorCode}
}

// ErrNotRunning means nothing answers on the socket.
var ErrNotRunning = errors.New("the daemon (scanmaild) is not running: no answer on its socket")

func (c *Client) socket() string {
	if c.Socket == "" {
		return apitype.BoardSocket
	}
	return c.Socket
}

func (c *Client) http() *http.Client {
	if c.Transport != nil {
		return &http.Client{Transport: c.Transport}
	}
	return &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", c.socket())
		},
	}}
}

func (c *Client) do(ctx context.Context, method, name string, in any) (*http.Response, error) {
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(data)
	}
	// The host is a placeholder: the socket is the address.
	req, err := http.NewRequestWithContext(ctx, method, "http://local-scanmaild.sock"+apitype.PathPrefix+name, body)
	if err != nil {
		return nil, err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.http().Do(req)
	if err != nil {
		var opErr *net.OpError
		if errors.As(err, &opErr) && opErr.Op == "dial" {
			return nil, fmt.Errorf("%w: %s", ErrNotRunning, c.socket())
		}
		return nil, err
	}
	if res.StatusCode != http.StatusOK {
		defer res.Body.Close()
		var body apitype.Error
		if err := json.NewDecoder(res.Body).Decode(&body); err != nil || body.Error == "" {
			body.Error = res.Status
		}
		return nil, &Error{Status: res.StatusCode, Message: body.Error, Hint: body.Hint, Code: body.Code, Key: body.Key, RetryAt: body.RetryAt}
	}
	return res, nil
}

func (c *Client) call(ctx context.Context, method, name string, in, out any) error {
	res, err := c.do(ctx, method, name, in)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		return fmt.Errorf("local API %s: %w", name, err)
	}
	return nil
}

// stream reads newline-delimited JSON values of type T, calling each for
// every one, until the daemon ends the answer.
func stream[T any](ctx context.Context, c *Client, name string, in any, each func(T)) error {
	res, err := c.do(ctx, http.MethodPost, name, in)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		var v T
		if err := json.Unmarshal(sc.Bytes(), &v); err != nil {
			return fmt.Errorf("local API %s: %w", name, err)
		}
		each(v)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("local API %s: %w", name, err)
	}
	return nil
}

// Status reports the device at a glance.
func (c *Client) Status(ctx context.Context) (apitype.Status, error) {
	var st apitype.Status
	return st, c.call(ctx, http.MethodGet, "status", nil, &st)
}

// Config lists the settings.
func (c *Client) Config(ctx context.Context) (apitype.Config, error) {
	var cfg apitype.Config
	return cfg, c.call(ctx, http.MethodGet, "config", nil, &cfg)
}

// SetConfig changes one setting.
func (c *Client) SetConfig(ctx context.Context, key, value string) (apitype.Config, error) {
	var cfg apitype.Config
	return cfg, c.call(ctx, http.MethodPost, "config/set", apitype.ConfigSet{Key: key, Value: value}, &cfg)
}

// SetConfigs changes several settings, all or none: when one value is
// refused, nothing is changed and the error's Key names it.
func (c *Client) SetConfigs(ctx context.Context, kvs []apitype.SettingValue) (apitype.Config, error) {
	var cfg apitype.Config
	return cfg, c.call(ctx, http.MethodPost, "config/set", apitype.ConfigSet{Settings: kvs}, &cfg)
}

// DescribeConfig describes every setting: kind, choices, bounds, unit,
// providers, help.
func (c *Client) DescribeConfig(ctx context.Context) (apitype.ConfigDescription, error) {
	var d apitype.ConfigDescription
	return d, c.call(ctx, http.MethodGet, "config/describe", nil, &d)
}

// Job is one job, with its SMTP log.
func (c *Client) Job(ctx context.Context, id uint64) (apitype.Job, error) {
	var job apitype.Job
	return job, c.call(ctx, http.MethodGet, "jobs/get?id="+strconv.FormatUint(id, 10), nil, &job)
}

// SignOut forgets the device's account and its tokens; it answers the
// status after.
func (c *Client) SignOut(ctx context.Context) (apitype.Status, error) {
	var st apitype.Status
	return st, c.call(ctx, http.MethodPost, "signout", nil, &st)
}

// Jobs lists up to limit recent jobs, newest first, without their SMTP
// logs (Job has a job's).
func (c *Client) Jobs(ctx context.Context, limit int) ([]apitype.Job, error) {
	var jobs []apitype.Job
	return jobs, c.call(ctx, http.MethodGet, "jobs?limit="+url.QueryEscape(strconv.Itoa(limit)), nil, &jobs)
}

// CancelJob cancels a job scanning or waiting to be sent.
func (c *Client) CancelJob(ctx context.Context, id uint64) (apitype.Job, error) {
	var job apitype.Job
	return job, c.call(ctx, http.MethodPost, "jobs/cancel", apitype.JobAction{ID: id}, &job)
}

// ResendJob queues a failed job again.
func (c *Client) ResendJob(ctx context.Context, id uint64) (apitype.Job, error) {
	var job apitype.Job
	return job, c.call(ctx, http.MethodPost, "jobs/resend", apitype.JobAction{ID: id}, &job)
}

// SignIn starts a sign-in as req asks, or joins the one waiting, and calls
// each with every change until it ends. It returns the last state.
func (c *Client) SignIn(ctx context.Context, req apitype.SignInRequest, each func(apitype.SignIn)) (apitype.SignIn, error) {
	var last apitype.SignIn
	err := stream(ctx, c, "signin", req, func(s apitype.SignIn) {
		last = s
		if each != nil {
			each(s)
		}
	})
	return last, err
}

// Scan runs a scan-to-email job and calls each with its progress. It
// returns the job as it ended.
func (c *Client) Scan(ctx context.Context, req apitype.ScanRequest, each func(apitype.JobEvent)) (apitype.Job, error) {
	var last apitype.Job
	err := stream(ctx, c, "scan", req, func(ev apitype.JobEvent) {
		last = ev.Job
		if each != nil {
			each(ev)
		}
	})
	return last, err
}

// Watch calls each with the device's changes, a snapshot first, until ctx
// ends (it returns ctx's error) or the daemon ends the stream (nil: it
// stopped; a new Watch starts again from a snapshot). A snapshot with
// Missed set means changes were left out because each did not return in
// time; it says the whole state again.
func (c *Client) Watch(ctx context.Context, each func(apitype.Notify)) error {
	res, err := c.do(ctx, http.MethodGet, "watch", nil)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	dec := json.NewDecoder(res.Body)
	for {
		var n apitype.Notify
		if err := dec.Decode(&n); err != nil {
			// A daemon that stops cuts the stream off.
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("local API watch: %w", err)
		}
		each(n)
	}
}

// CancelSignIn stops the sign-in waiting, if any, and answers its state
// after.
func (c *Client) CancelSignIn(ctx context.Context) (apitype.SignIn, error) {
	var st apitype.SignIn
	return st, c.call(ctx, http.MethodPost, "signin/cancel", nil, &st)
}
