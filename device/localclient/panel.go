package localclient

import (
	"context"
	"net/http"

	"scanmail/device/apitype"
)

// MorePages answers a flatbed job waiting for the operator: more scans
// another page, otherwise the document is ended and sent.
func (c *Client) MorePages(ctx context.Context, id uint64, more bool) (apitype.Job, error) {
	var job apitype.Job
	return job, c.call(ctx, http.MethodPost, "jobs/more", apitype.JobMore{ID: id, More: more}, &job)
}

// QuickSets lists the Quick Sets by name.
func (c *Client) QuickSets(ctx context.Context) (apitype.QuickSetList, error) {
	var l apitype.QuickSetList
	return l, c.call(ctx, http.MethodGet, "quicksets", nil, &l)
}

// PutQuickSet creates a Quick Set (no ID) or changes the one with q's ID.
func (c *Client) PutQuickSet(ctx context.Context, q apitype.QuickSet) (apitype.QuickSet, error) {
	var out apitype.QuickSet
	return out, c.call(ctx, http.MethodPost, "quicksets/put", q, &out)
}

// DeleteQuickSet deletes a Quick Set and returns it.
func (c *Client) DeleteQuickSet(ctx context.Context, id string) (apitype.QuickSet, error) {
	var out apitype.QuickSet
	return out, c.call(ctx, http.MethodPost, "quicksets/delete", apitype.QuickSetDelete{ID: id}, &out)
}

// PIN says whether the admin PIN is set and whether wrong tries hold the
// next one back.
func (c *Client) PIN(ctx context.Context) (apitype.PINState, error) {
	var st apitype.PINState
	return st, c.call(ctx, http.MethodGet, "admin/pin", nil, &st)
}

// CheckPIN checks the admin PIN. A wrong one is an error with code
// apitype.CodePINWrong; while tries are held back, apitype.CodePINLocked
// with the time of the next in the error's RetryAt.
func (c *Client) CheckPIN(ctx context.Context, pin string) (apitype.PINState, error) {
	var st apitype.PINState
	return st, c.call(ctx, http.MethodPost, "admin/pin/check", apitype.PINCheck{PIN: pin}, &st)
}

// SetPIN sets the admin PIN; old must be the current one, unless none is
// set yet.
func (c *Client) SetPIN(ctx context.Context, old, new string) (apitype.PINState, error) {
	var st apitype.PINState
	return st, c.call(ctx, http.MethodPost, "admin/pin/set", apitype.PINSet{Old: old, New: new}, &st)
}
