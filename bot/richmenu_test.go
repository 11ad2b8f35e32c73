package bot

import (
	"bytes"
	"context"
	"image"
	_ "image/png"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"mamasroom/line"
	"mamasroom/linesim"
)

const richMenuTestToken = "richmenu-test-token"

type richMenuEnv struct {
	sim    *linesim.Sim
	url    string
	client *line.Client

	mu         sync.Mutex
	failUpload int // status for the next image upload, 0 for none
}

// setupRichMenu starts linesim and a Sender pointed at it (for both the api
// and the api-data host, as LINE_API_BASE_URL does in tests).
func setupRichMenu(t *testing.T) *richMenuEnv {
	t.Helper()
	sim, err := linesim.New(linesim.Config{ChannelSecret: "richmenu-test-secret", AccessToken: richMenuTestToken})
	if err != nil {
		t.Fatal(err)
	}
	if !sim.SpecLoaded() {
		t.Log("LINE's OpenAPI spec not found: requests are checked by the sim's own rules only")
	}
	e := &richMenuEnv{sim: sim}
	// The upload path holds the menu id, known only once the menu exists:
	// arm the sim's fault when the upload arrives.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/content") {
			e.mu.Lock()
			if e.failUpload != 0 {
				sim.FailNext(r.URL.Path, e.failUpload, 1)
				e.failUpload = 0
			}
			e.mu.Unlock()
		}
		sim.Handler().ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	e.url = srv.URL
	e.client = line.NewClient(richMenuTestToken, srv.URL, http.DefaultClient, nil)
	return e
}

func (e *richMenuEnv) failNextUpload(status int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.failUpload = status
}

func (e *richMenuEnv) mustHaveNoRejections(t *testing.T) {
	t.Helper()
	for _, r := range e.sim.Rejected() {
		t.Errorf("LINE would refuse: %d %s %s: %s", r.Status, r.Method, r.Path, r.Reason)
	}
}

func TestEnsureRichMenuCreatesTheMenuAndMakesItDefault(t *testing.T) {
	e := setupRichMenu(t)
	id, err := EnsureRichMenu(context.Background(), e.client, "03-6413-8435")
	if err != nil {
		t.Fatal(err)
	}
	e.mustHaveNoRejections(t)

	menus := e.sim.RichMenus()
	if len(menus) != 1 {
		t.Fatalf("LINE has %d rich menus, want 1", len(menus))
	}
	m := menus[0]
	if m.Name != richMenuName || !m.Selected || m.ChatBarText != "メニュー" ||
		m.Size == nil || m.Size.Width != 2500 || m.Size.Height != 1686 {
		t.Errorf("menu = name %q selected %v chat bar %q size %+v", m.Name, m.Selected, m.ChatBarText, m.Size)
	}
	// The sim refuses to make a menu without its image the default, so this
	// also shows the picture was uploaded.
	if got := e.sim.DefaultRichMenuID(); got != id || id == "" {
		t.Errorf("default rich menu = %q, want the new menu %q", got, id)
	}

	want := []struct {
		kind, label, payload string // payload: the text sent, or the URI
		x, y, w, h           int64
	}{
		{"message", "予約する", "予約する", 0, 0, 833, 843},
		{"message", "予約の確認", "予約の確認", 833, 0, 834, 843},
		{"message", "ちょっと聞いてください", "ちょっと聞いてください", 1667, 0, 833, 843},
		{"message", "ご利用条件", "ご利用条件", 0, 843, 833, 843},
		{"message", "アクセス・持ち物", "アクセス・持ち物", 833, 843, 834, 843},
		{"uri", "電話する", "tel:0364138435", 1667, 843, 833, 843},
	}
	if len(m.Areas) != len(want) {
		t.Fatalf("menu has %d areas, want %d", len(m.Areas), len(want))
	}
	for i, w := range want {
		a := m.Areas[i]
		kind, label, payload := describeAction(a.Action)
		if kind != w.kind || label != w.label || payload != w.payload {
			t.Errorf("area %d action = %s %q %q, want %s %q %q", i, kind, label, payload, w.kind, w.label, w.payload)
		}
		if b := a.Bounds; b == nil || b.X != w.x || b.Y != w.y || b.Width != w.w || b.Height != w.h {
			t.Errorf("area %d (%s) bounds = %+v, want %d,%d %dx%d", i, w.label, b, w.x, w.y, w.w, w.h)
		}
	}
}

func describeAction(a messaging_api.ActionInterface) (kind, label, payload string) {
	switch v := a.(type) {
	case messaging_api.MessageAction:
		return "message", v.Label, v.Text
	case *messaging_api.MessageAction:
		return "message", v.Label, v.Text
	case messaging_api.UriAction:
		return "uri", v.Label, v.Uri
	case *messaging_api.UriAction:
		return "uri", v.Label, v.Uri
	}
	return "other", "", ""
}

func TestEnsureRichMenuTwiceMakesOneMenu(t *testing.T) {
	e := setupRichMenu(t)
	first, err := EnsureRichMenu(context.Background(), e.client, "03-6413-8435")
	if err != nil {
		t.Fatal(err)
	}
	second, err := EnsureRichMenu(context.Background(), e.client, "03-6413-8435")
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Errorf("second call gave menu %q, want the first one %q", second, first)
	}
	if n := len(e.sim.RichMenus()); n != 1 {
		t.Errorf("LINE has %d rich menus, want 1", n)
	}
	if got := e.sim.DefaultRichMenuID(); got != first {
		t.Errorf("default rich menu = %q, want %q", got, first)
	}
	e.mustHaveNoRejections(t)
}

func TestEnsureRichMenuUploadFailureLeavesNoMenu(t *testing.T) {
	e := setupRichMenu(t)
	e.failNextUpload(http.StatusInternalServerError)
	_, err := EnsureRichMenu(context.Background(), e.client, "03-6413-8435")
	if err == nil {
		t.Fatal("EnsureRichMenu succeeded though the image upload failed")
	}
	if !strings.Contains(err.Error(), "500") || strings.Contains(err.Error(), "Internal server error") {
		t.Errorf("error %q should give the status and not LINE's body", err)
	}
	if n := len(e.sim.RichMenus()); n != 0 {
		t.Errorf("LINE has %d rich menus after the failed upload, want 0", n)
	}
	if got := e.sim.DefaultRichMenuID(); got != "" {
		t.Errorf("default rich menu = %q after the failure, want none", got)
	}

	// The retry starts clean.
	id, err := EnsureRichMenu(context.Background(), e.client, "03-6413-8435")
	if err != nil {
		t.Fatal(err)
	}
	if n := len(e.sim.RichMenus()); n != 1 || e.sim.DefaultRichMenuID() != id {
		t.Errorf("after the retry: %d menus, default %q, want 1 and %q", n, e.sim.DefaultRichMenuID(), id)
	}
	e.mustHaveNoRejections(t)
}

// A menu of ours without its image (the process died between creating it
// and uploading) cannot be shown; EnsureRichMenu replaces it.
func TestEnsureRichMenuReplacesAMenuWithoutImage(t *testing.T) {
	e := setupRichMenu(t)
	api, err := messaging_api.NewMessagingApiAPI(richMenuTestToken, messaging_api.WithEndpoint(e.url))
	if err != nil {
		t.Fatal(err)
	}
	half, err := api.CreateRichMenu(richMenuRequest("03-6413-8435"))
	if err != nil {
		t.Fatal(err)
	}

	id, err := EnsureRichMenu(context.Background(), e.client, "03-6413-8435")
	if err != nil {
		t.Fatal(err)
	}
	if id == half.RichMenuId {
		t.Error("EnsureRichMenu kept the menu without an image")
	}
	menus := e.sim.RichMenus()
	if len(menus) != 1 || e.sim.DefaultRichMenuID() != id {
		t.Errorf("%d menus, default %q, want 1 and %q", len(menus), e.sim.DefaultRichMenuID(), id)
	}
	// Trying to make the half-made menu the default is how it is found out;
	// that one refusal is expected, nothing else.
	rejected := e.sim.Rejected()
	if len(rejected) != 1 || rejected[0].Status != http.StatusBadRequest ||
		rejected[0].Path != "/v2/bot/user/all/richmenu/"+half.RichMenuId {
		t.Errorf("rejections = %+v, want only the set-default of the half-made menu", rejected)
	}
}

func TestEnsureRichMenuWrongToken(t *testing.T) {
	e := setupRichMenu(t)
	c := line.NewClient("not-the-token", e.url, http.DefaultClient, nil)
	_, err := EnsureRichMenu(context.Background(), c, "03-6413-8435")
	if err == nil {
		t.Fatal("EnsureRichMenu succeeded with a wrong token")
	}
	if !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "Authentication failed") {
		t.Errorf("error %q should give the status and not LINE's body", err)
	}
	if n := len(e.sim.RichMenus()); n != 0 {
		t.Errorf("LINE has %d rich menus, want 0", n)
	}
}

func TestRichMenuImageFitsLINE(t *testing.T) {
	if len(richMenuImage) >= 1<<20 {
		t.Errorf("richmenu.png is %d bytes, LINE takes at most 1 MB", len(richMenuImage))
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(richMenuImage))
	if err != nil {
		t.Fatal(err)
	}
	if format != "png" || cfg.Width != richMenuWidth || cfg.Height != richMenuHeight {
		t.Errorf("richmenu.png is a %dx%d %s, want a %dx%d png", cfg.Width, cfg.Height, format, richMenuWidth, richMenuHeight)
	}
}
