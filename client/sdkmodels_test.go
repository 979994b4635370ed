package client

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sdkModels reads testdata/sdk: the official SDK's models, as model name ->
// JSON name -> Go type (see the file's header for where it came from).
func sdkModels(t *testing.T) map[string]map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "sdk", "cams-20200606-v6.3.0-models.txt"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	models := map[string]map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		parts := strings.Fields(line)
		if len(parts) != 3 {
			t.Fatalf("bad line %q", line)
		}
		if models[parts[0]] == nil {
			models[parts[0]] = map[string]string{}
		}
		models[parts[0]][parts[1]] = parts[2]
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return models
}

// TestAnswersAreReadAsTheSDKModelsNameThem: every field the client decodes
// is a field of the SDK's model of that object, with its exact JSON name
// (encoding/json would also match other cases, the API sends only this one)
// and a Go type of the same shape: a string for *string, a list for a
// repeated model, an object for a struct model. The client's nested types
// match the SDK's nested models, and the envelope's names are in every body.
func TestAnswersAreReadAsTheSDKModelsNameThem(t *testing.T) {
	models := sdkModels(t)
	healthData := reflect.TypeOf(healthAnswer{}).Field(0).Type.Elem()
	ours := map[reflect.Type]string{
		reflect.TypeOf(phoneNumbersAnswer{}): "QueryChatappPhoneNumbersResponseBody",
		reflect.TypeOf(PhoneNumber{}):        "QueryChatappPhoneNumbersResponseBodyPhoneNumbers",
		reflect.TypeOf(bindWabaAnswer{}):     "QueryChatappBindWabaResponseBody",
		reflect.TypeOf(WABA{}):               "QueryChatappBindWabaResponseBodyData",
		reflect.TypeOf(healthAnswer{}):       "GetWhatsappHealthStatusResponseBody",
		healthData:                           "GetWhatsappHealthStatusResponseBodyData",
		reflect.TypeOf(answeredEntity{}):     "GetWhatsappHealthStatusResponseBodyDataEntities",
		reflect.TypeOf(HealthError{}):        "GetWhatsappHealthStatusResponseBodyDataEntitiesErrors",
		reflect.TypeOf(templatesAnswer{}):    "ListChatappTemplateResponseBody",
		reflect.TypeOf(Template{}):           "ListChatappTemplateResponseBodyListTemplate",
	}
	read := 0
	for typ, model := range ours {
		fields := models[model]
		if fields == nil {
			t.Fatalf("no model %s in the fixture", model)
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			read++
			sdkType, ok := fields[name]
			if !ok {
				t.Errorf("%s.%s reads %q, which the SDK's %s does not have", typ.Name(), f.Name, name, model)
				continue
			}
			if want := sdkShape(f.Type, ours); want != sdkType {
				t.Errorf("%s.%s (%q) is %s, the SDK's %s.%s is %s", typ.Name(), f.Name, name, want, model, name, sdkType)
			}
		}
	}
	if read < 9+6+3+8+3+2+8 {
		t.Errorf("checked only %d fields", read)
	}
	for _, body := range []string{"QueryChatappPhoneNumbersResponseBody", "QueryChatappBindWabaResponseBody", "GetWhatsappHealthStatusResponseBody", "ListChatappTemplateResponseBody"} {
		for _, name := range []string{"RequestId", "Code", "Message", "AccessDeniedDetail"} {
			if models[body][name] == "" {
				t.Errorf("the envelope reads %s, which %s does not have", name, body)
			}
		}
	}
	// Data is an unrelated string in the numbers' answer: the client must
	// not read it as the numbers.
	if models["QueryChatappPhoneNumbersResponseBody"]["Data"] != "*string" {
		t.Error("the fixture's QueryChatappPhoneNumbersResponseBody.Data is not a string")
	}
}

// sdkShape is how the SDK declares a field of Go type typ: *string for a
// string, []*<model> for a list and *<model> for a pointer to an object of
// ours whose model is known.
func sdkShape(typ reflect.Type, ours map[reflect.Type]string) string {
	switch typ.Kind() {
	case reflect.String:
		return "*string"
	case reflect.Int32, reflect.Int64:
		return "*" + typ.Kind().String()
	case reflect.Slice:
		return "[]" + sdkShape(reflect.PointerTo(typ.Elem()), ours)
	case reflect.Pointer:
		if model, ok := ours[typ.Elem()]; ok {
			return "*" + model
		}
		if k := typ.Elem().Kind(); k == reflect.String || k == reflect.Int32 || k == reflect.Int64 {
			return sdkShape(typ.Elem(), ours)
		}
	case reflect.Struct:
		if model, ok := ours[typ]; ok {
			return "*" + model
		}
	}
	return "unknown " + typ.String()
}

// sentParamsAreTheSDKs checks that every parameter of a request is one the
// SDK's request model declares, under its exact name.
func sentParamsAreTheSDKs(t *testing.T, model string, query map[string][]string) {
	t.Helper()
	fields := sdkModels(t)[model]
	if fields == nil {
		t.Fatalf("no model %s in the fixture", model)
	}
	for name := range query {
		if fields[name] != "*string" {
			t.Errorf("sent %s, which the SDK's %s does not declare as a string", name, model)
		}
	}
}
