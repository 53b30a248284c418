package localclient

import (
	"context"
	"net/http"

	"scanmail/device/apitype"
)

// ResetPassword removes the web pages' admin password and the count of
// wrong tries, and ends every web session, for an admin who forgot it.
// The socket is root's: this is the recovery path.
func (c *Client) ResetPassword(ctx context.Context) (apitype.PasswordState, error) {
	var st apitype.PasswordState
	return st, c.call(ctx, http.MethodPost, "admin/password/reset", nil, &st)
}
