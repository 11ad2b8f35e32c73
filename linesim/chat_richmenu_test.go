package linesim_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/line/line-bot-sdk-go/v8/linebot/messaging_api"

	"mamasroom/linesim"
)

func chatState(t *testing.T, chat *httptest.Server, user string) linesim.ChatState {
	t.Helper()
	resp, err := http.Get(chat.URL + "/chat/api/state?user=" + user)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("state: status %d", resp.StatusCode)
	}
	var st linesim.ChatState
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatalf("state: %v", err)
	}
	return st
}

// TestChatStateAndRichMenu: the page learns whether she is a friend (so the
// follow button can say so) and the rich menu LINE would show her, with
// its picture and its areas' actions, a tel: URI among them.
func TestChatStateAndRichMenu(t *testing.T) {
	t.Parallel()
	sim, _, chat := chatSetup(t)

	if st := chatState(t, chat, alice); st.Friend || st.Blocked || st.RichMenu != nil {
		t.Errorf("state before anything = %+v, want a stranger and no menu", st)
	}

	// The bot sets up its menu as on LINE.
	line := httptest.NewServer(sim.Handler())
	t.Cleanup(line.Close)
	api, err := messaging_api.NewMessagingApiAPI(token, messaging_api.WithEndpoint(line.URL))
	if err != nil {
		t.Fatal(err)
	}
	blob, err := messaging_api.NewMessagingApiBlobAPI(token, messaging_api.WithBlobEndpoint(line.URL))
	if err != nil {
		t.Fatal(err)
	}
	created, err := api.CreateRichMenu(&messaging_api.RichMenuRequest{
		Size:        &messaging_api.RichMenuSize{Width: 2500, Height: 843},
		Selected:    true,
		Name:        "main",
		ChatBarText: "メニュー",
		Areas: []messaging_api.RichMenuArea{
			{Bounds: &messaging_api.RichMenuBounds{X: 0, Y: 0, Width: 1250, Height: 843}, Action: &messaging_api.MessageAction{Label: "予約する", Text: "予約する"}},
			{Bounds: &messaging_api.RichMenuBounds{X: 1250, Y: 0, Width: 1250, Height: 843}, Action: &messaging_api.UriAction{Label: "電話する", Uri: "tel:0364138435"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	picture := pngOf(t, 2500, 843)
	if _, err := blob.SetRichMenuImage(created.RichMenuId, "image/png", bytes.NewReader(picture)); err != nil {
		t.Fatal(err)
	}
	if st := chatState(t, chat, alice); st.RichMenu != nil {
		t.Errorf("a menu that is not the default is shown: %+v", st.RichMenu)
	}
	if _, err := api.SetDefaultRichMenu(created.RichMenuId); err != nil {
		t.Fatal(err)
	}

	if status, body := chatPost(t, chat, "/chat/api/follow", `{"user":"`+alice+`"}`); status != http.StatusNoContent {
		t.Fatalf("follow = %d %q", status, body)
	}
	st := chatState(t, chat, alice)
	if !st.Friend || st.Blocked {
		t.Errorf("state after follow = %+v, want a friend", st)
	}
	m := st.RichMenu
	if m == nil {
		t.Fatal("no rich menu in her state")
	}
	if m.ID != created.RichMenuId || m.Width != 2500 || m.Height != 843 || m.ChatBarText != "メニュー" || !m.Selected {
		t.Errorf("menu = %+v", m)
	}
	wantAreas := []linesim.ChatArea{
		{X: 0, Y: 0, Width: 1250, Height: 843, Action: linesim.ChatButton{Kind: "message", Label: "予約する", Text: "予約する"}},
		{X: 1250, Y: 0, Width: 1250, Height: 843, Action: linesim.ChatButton{Kind: "uri", Label: "電話する", URI: "tel:0364138435"}},
	}
	if len(m.Areas) != len(wantAreas) {
		t.Fatalf("areas = %+v, want %+v", m.Areas, wantAreas)
	}
	for i := range wantAreas {
		if m.Areas[i] != wantAreas[i] {
			t.Errorf("area %d = %+v, want %+v", i, m.Areas[i], wantAreas[i])
		}
	}

	resp, err := http.Get(chat.URL + "/" + m.Image)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" || !bytes.Equal(got, picture) {
		t.Errorf("GET %s = %d %s, %d bytes; want the uploaded PNG", m.Image, resp.StatusCode, resp.Header.Get("Content-Type"), len(got))
	}
	resp, err = http.Get(chat.URL + "/chat/api/richmenu/richmenu-none/image")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("picture of no menu: status %d, want 404", resp.StatusCode)
	}

	if _, err := sim.SendUnfollow(t.Context(), alice); err != nil {
		t.Fatal(err)
	}
	if st := chatState(t, chat, alice); st.Friend || !st.Blocked {
		t.Errorf("state after blocking = %+v, want blocked", st)
	}
	if st := chatState(t, chat, bob); st.Friend || st.Blocked || st.RichMenu == nil {
		t.Errorf("another mother's state = %+v, want a stranger who sees the menu", st)
	}
}
