package localclient

import (
	"context"
	"net/http"

	"scanmail/device/apitype"
)

// Password says whether the web pages' admin password is set and whether
// wrong tries hold the next one back.
func (c *Client) Password(ctx context.Context) (apitype.PasswordState, error) {
	var st apitype.PasswordState
	return st, c.call(ctx, http.MethodGet, "admin/password", nil, &st)
}

// SetPassword sets the admin password (old must be the current one,
// unless none is set yet); every web session ends.
func (c *Client) SetPassword(ctx context.Context, old, new string) (apitype.PasswordState, error) {
	var st apitype.PasswordState
	return st, c.call(ctx, http.MethodPost, "admin/password/set", apitype.PasswordSet{Old: old, New: new}, &st)
}

// Login makes a web session with the admin password; the answer's ID is
// the session's only copy outside its hash.
func (c *Client) Login(ctx context.Context, password string) (apitype.Session, error) {
	var s apitype.Session
	return s, c.call(ctx, http.MethodPost, "web/login", apitype.Login{Password: password}, &s)
}

// CheckSession reports the session with id, alive, and counts the check
// as a use; an unknown or ended one is an error with apitype.CodeNoSession.
func (c *Client) CheckSession(ctx context.Context, id string) (apitype.Session, error) {
	var s apitype.Session
	return s, c.call(ctx, http.MethodPost, "web/session", apitype.SessionCheck{ID: id}, &s)
}

// Logout ends the session with id; ending one that has ended already is
// no error.
func (c *Client) Logout(ctx context.Context, id string) error {
	var s apitype.Session
	return c.call(ctx, http.MethodPost, "web/logout", apitype.SessionCheck{ID: id}, &s)
}

// TestConnection runs the connection test and calls each with every step
// as it starts and ends; it returns the steps as they ended.
func (c *Client) TestConnection(ctx context.Context, req apitype.ConnTestRequest, each func(apitype.ConnTestStep)) ([]apitype.ConnTestStep, error) {
	var steps []apitype.ConnTestStep
	err := stream(ctx, c, "connection/test", req, func(s apitype.ConnTestStep) {
		if s.State != apitype.StepRunning {
			steps = append(steps, s)
		}
		if each != nil {
			each(s)
		}
	})
	return steps, err
}
