package main

import (
	"context"
	"slices"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// withAccountParts returns snap with the parts of every source (phone
// numbers, WABA, messaging health) for each of its spaces, as the engine
// holds them once each source has made every call of a pass over data's
// accounts at the time at: the sources' own Call and Apply, on the answers
// the simulator gives for data (datasetAPI), without HTTP. A cache file
// saved from it is what an exporter that has run for hours saves.
func withAccountParts(snap *snapshot.Snapshot, data *simulator.Dataset, at time.Time) *snapshot.Snapshot {
	return withParts(snap, newDatasetAPI(data), at)
}

// accountAPI is what the three sources call: *client.Client, or a
// datasetAPI.
type accountAPI interface {
	phonenumbers.Querier
	waba.Binder
	messaginghealth.Checker
}

// withParts is withAccountParts with the answers of api.
func withParts(snap *snapshot.Snapshot, api accountAPI, at time.Time) *snapshot.Snapshot {
	numbers, bound := phonenumbers.New(api, 0), waba.New(api, 0)
	health := messaginghealth.New(api, 0, 0)
	ids := snap.SpaceIDs()
	first := make([]*snapshot.SourceState, 0, 3)
	for _, src := range []engine.Source{numbers, bound} {
		parts := make(map[string]*snapshot.SpacePart, len(ids))
		for _, id := range ids {
			parts[id] = callOnce(src, id, []engine.Task{{Space: id}}, at, nil)
		}
		first = append(first, snapshot.NewSourceState(src.Name(), src.Operation()).WithParts(parts))
	}
	known := snap.WithSources(first)
	parts := make(map[string]*snapshot.SpacePart, len(ids))
	var tasks []engine.Task
	for _, id := range ids {
		tasks, _, _ = health.Due(tasks[:0], id, nil, known, at)
		if len(tasks) > 0 {
			parts[id] = callOnce(health, id, tasks, at, known)
		}
	}
	return snap.WithSources(append(first, snapshot.NewSourceState(health.Name(), health.Operation()).WithParts(parts)))
}

// callOnce makes tasks, the calls of one space, and returns the space's
// part with their results, answered at at.
func callOnce(src engine.Source, space string, tasks []engine.Task, at time.Time, known *snapshot.Snapshot) *snapshot.SpacePart {
	done := make([]engine.Done, len(tasks))
	for i, t := range tasks {
		v, err := src.Call(context.Background(), t)
		done[i] = engine.Done{Task: t, At: at, Value: v, Err: err}
	}
	return src.Apply(space, nil, done, known)
}

// templateParts returns the templates source's part of each of ids, as
// the source keeps them once it has listed every space at the time at: its
// own Start and Apply, each listing paged by the source's pager to its
// end, on the answers of api.
func templateParts(api templates.Lister, ids []string, at time.Time) map[string]*snapshot.SpacePart {
	src := newTemplatesSource(api)
	parts := make(map[string]*snapshot.SpacePart, len(ids))
	for _, id := range ids {
		listing := src.Start(id)
		var err error
		for done := false; !done && err == nil; {
			done, err = listing.Next(context.Background())
		}
		parts[id] = src.Apply(id, nil, []engine.Done{{Task: engine.Task{Space: id}, At: at, Value: listing, Err: err}}, nil)
	}
	return parts
}

// newTemplatesSource is the templates source as the exporter builds it with
// its default flags (sources.go): an hour's interval, pages of 20, the
// client's page limit.
func newTemplatesSource(api templates.Lister) *templates.Source {
	return templates.New(api, templates.DefaultInterval, client.DefaultTemplatesPageSize, 0, templates.Options{MaxProblemSeries: templates.DefaultMaxProblemSeries})
}

// datasetAPI answers QueryChatappPhoneNumbers, QueryChatappBindWaba,
// GetWhatsappHealthStatus and ListChatappTemplate from a simulator data
// set, as the simulator does (see simulator.Server's getHealthStatus: the
// number's PHONE_NUMBER entity, the space's WABA and BUSINESS, the
// account's APP, the extra entities; the worst of them overall).
type datasetAPI struct {
	spaces map[string]*simulator.Space
	app    *simulator.Health
}

func newDatasetAPI(data *simulator.Dataset) *datasetAPI {
	api := &datasetAPI{spaces: make(map[string]*simulator.Space, len(data.Spaces)), app: data.AppHealth}
	for i := range data.Spaces {
		api.spaces[data.Spaces[i].ID] = &data.Spaces[i]
	}
	return api
}

func (a *datasetAPI) space(operation, id string) (*simulator.Space, error) {
	sp := a.spaces[id]
	switch {
	case sp == nil:
		return nil, &client.Error{Operation: operation, Code: simulator.CodeUnknownResourceOwnerID}
	case sp.Error != "":
		return nil, &client.Error{Operation: operation, Code: sp.Error}
	}
	return sp, nil
}

func (a *datasetAPI) QueryPhoneNumbers(_ context.Context, id string) ([]client.PhoneNumber, error) {
	sp, err := a.space(client.OperationQueryPhoneNumbers, id)
	if err != nil {
		return nil, err
	}
	out := make([]client.PhoneNumber, len(sp.PhoneNumbers))
	for i, n := range sp.PhoneNumbers {
		out[i] = client.PhoneNumber{PhoneNumber: n.PhoneNumber, VerifiedName: n.VerifiedName, Status: n.Status, QualityRating: n.QualityRating,
			MessagingLimitTier: n.MessagingLimitTier, CodeVerificationStatus: n.CodeVerificationStatus, NameStatus: n.NameStatus,
			NewNameStatus: n.NewNameStatus, IsOfficial: n.IsOfficial}
	}
	return out, nil
}

func (a *datasetAPI) QueryBindWaba(_ context.Context, id string) (*client.WABA, error) {
	sp, err := a.space(client.OperationQueryBindWaba, id)
	if err != nil {
		return nil, err
	}
	if sp.WABA == nil {
		return nil, client.ErrNoWABA
	}
	w := sp.WABA
	return &client.WABA{ID: w.Id, Name: w.Name, BusinessID: w.BusinessId, AccountReviewStatus: w.AccountReviewStatus,
		Currency: w.Currency, MessageTemplateNamespace: w.MessageTemplateNamespace}, nil
}

func (a *datasetAPI) GetHealthStatus(_ context.Context, id string, node client.HealthNode) (*client.HealthStatus, error) {
	sp, err := a.space(client.OperationGetHealthStatus, id)
	if err != nil {
		return nil, err
	}
	if sp.WABA == nil {
		return nil, client.ErrNoWABA
	}
	var entities []client.HealthEntity
	if node.Type == client.NodeTypePhone {
		i := slices.IndexFunc(sp.PhoneNumbers, func(n simulator.PhoneNumber) bool { return n.PhoneNumber == node.PhoneNumber })
		if i < 0 {
			return nil, &client.Error{Operation: client.OperationGetHealthStatus, Code: simulator.CodePhoneNotBound}
		}
		entities = append(entities, entity(client.EntityTypePhoneNumber, node.PhoneNumber, sp.PhoneNumbers[i].Health))
		entities[0].PhoneNumber = node.PhoneNumber
	}
	w, b := entity(client.EntityTypeWABA, sp.WABA.Id, sp.WABAHealth), entity(client.EntityTypeBusiness, sp.WABA.BusinessId, sp.BusinessHealth)
	w.WabaID, b.BusinessID = sp.WABA.Id, sp.WABA.BusinessId
	entities = append(entities, w, b, entity(client.EntityTypeApp, "", a.app))
	for _, e := range sp.ExtraEntities {
		x := client.HealthEntity{EntityType: e.EntityType, CanSendMessage: canSend(e.CanSendMessage), WabaID: e.WabaId, BusinessID: e.BusinessId,
			PhoneNumber: e.PhoneNumber, TemplateCode: e.TemplateCode, Language: e.Language, Errors: healthErrors(e.Errors)}
		switch e.EntityType {
		case client.EntityTypeWABA:
			x.ID = e.WabaId
		case client.EntityTypeBusiness:
			x.ID = e.BusinessId
		case client.EntityTypePhoneNumber:
			x.ID = e.PhoneNumber
		case client.EntityTypeTemplate:
			x.ID = e.TemplateCode
		}
		entities = append(entities, x)
	}
	st := &client.HealthStatus{CanSendMessage: simulator.HealthAvailable, Entities: entities}
	for _, e := range entities {
		if sendRank(e.CanSendMessage) > sendRank(st.CanSendMessage) {
			st.CanSendMessage = e.CanSendMessage
		}
	}
	return st, nil
}

// TemplatePager pages a space's templates as the simulator's
// ListChatappTemplate does: the data set's order, Total every template.
func (a *datasetAPI) TemplatePager(id string, pageSize, maxPages int) *client.TemplatePager {
	return client.NewTemplatePager(func(_ context.Context, index, size int) (client.TemplatePage, error) {
		sp, err := a.space(client.OperationListTemplates, id)
		if err != nil {
			return client.TemplatePage{}, err
		}
		lo := min((index-1)*size, len(sp.Templates))
		page := client.TemplatePage{Total: len(sp.Templates)}
		for _, t := range sp.Templates[lo:min(lo+size, len(sp.Templates))] {
			page.Templates = append(page.Templates, client.Template{TemplateCode: t.TemplateCode, TemplateName: t.TemplateName, Language: t.Language,
				Category: t.Category, AuditStatus: t.AuditStatus, Reason: t.Reason, TemplateType: t.TemplateType, LastUpdateTime: t.LastUpdateTime})
		}
		return page, nil
	}, pageSize, maxPages)
}

// sendRank orders CanSendMessage values as the simulator does: BLOCKED,
// LIMITED, an undocumented value, AVAILABLE.
func sendRank(s string) int {
	switch s {
	case simulator.HealthAvailable:
		return 0
	case simulator.HealthLimited:
		return 2
	case simulator.HealthBlocked:
		return 3
	}
	return 1
}

func entity(kind, id string, h *simulator.Health) client.HealthEntity {
	e := client.HealthEntity{EntityType: kind, ID: id, CanSendMessage: simulator.HealthAvailable}
	if h != nil {
		e.CanSendMessage, e.Errors = canSend(h.CanSendMessage), healthErrors(h.Errors)
	}
	return e
}

func canSend(s string) string {
	if s == "" {
		return simulator.HealthAvailable
	}
	return s
}

func healthErrors(es []simulator.HealthError) []client.HealthError {
	var out []client.HealthError
	for _, e := range es {
		out = append(out, client.HealthError{ErrorCode: e.ErrorCode, ErrorDescription: e.ErrorDescription, PossibleSolution: e.PossibleSolution})
	}
	return out
}
