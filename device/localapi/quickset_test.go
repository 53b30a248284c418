package localapi_test

import (
	"context"
	"net/http"
	"testing"

	"scanmail/device/apitype"
	"scanmail/device/localclient"
)

// TestQuickSetsOverSocket: Quick Sets through the local API: stored,
// listed, changed, refused with a code and status, deleted.
func TestQuickSetsOverSocket(t *testing.T) {
	c := serve(t)
	ctx := context.Background()
	if l, err := c.QuickSets(ctx); err != nil || l.QuickSets == nil || len(l.QuickSets) != 0 {
		t.Fatalf("a new device: %+v %v", l, err)
	}
	q, err := c.PutQuickSet(ctx, apitype.QuickSet{Name: "Front desk", To: []string{"desk@contoso.example"}, Options: apitype.ScanOptions{DPI: 150}})
	if err != nil || q.ID == "" {
		t.Fatalf("put: %+v %v", q, err)
	}
	_, err = c.PutQuickSet(ctx, apitype.QuickSet{Name: "front DESK", To: []string{"other@contoso.example"}})
	if le, ok := err.(*localclient.Error); !ok || le.Code != apitype.CodeInvalidRequest || le.Status != http.StatusBadRequest {
		t.Fatalf("a second of the name: %#v", err)
	}
	q.Options.Format = "jpeg"
	if q2, err := c.PutQuickSet(ctx, q); err != nil || q2.ID != q.ID || q2.Options.Format != "jpeg" {
		t.Fatalf("change: %+v %v", q2, err)
	}
	l, err := c.QuickSets(ctx)
	if err != nil || len(l.QuickSets) != 1 || l.QuickSets[0].Options.Format != "jpeg" || l.QuickSets[0].Options.DPI != 150 {
		t.Fatalf("list: %+v %v", l, err)
	}
	if d, err := c.DeleteQuickSet(ctx, q.ID); err != nil || d.Name != "Front desk" {
		t.Fatalf("delete: %+v %v", d, err)
	}
	if _, err := c.DeleteQuickSet(ctx, q.ID); localclient.ErrorCode(err) != apitype.CodeNoQuickSet {
		t.Fatalf("delete again: %v", err)
	}
}
