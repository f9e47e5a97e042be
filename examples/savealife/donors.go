package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gochalice/gochalice/app"
)

// bloodTypes are the ABO/Rh blood types a donor may have.
var bloodTypes = []string{"A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"}

// statsPrefix marks the items that hold per-blood-type counts, which live
// in the donors table beside the donors.
const statsPrefix = "stats#"

// Donor is a registered blood donor.
type Donor struct {
	ID           string `json:"id" dynamodbav:"id"`
	Name         string `json:"name" dynamodbav:"name"`
	BloodType    string `json:"blood_type" dynamodbav:"blood_type"`
	City         string `json:"city,omitempty" dynamodbav:"city,omitempty"`
	Phone        string `json:"phone,omitempty" dynamodbav:"phone,omitempty"`
	LastDonation string `json:"last_donation,omitempty" dynamodbav:"last_donation,omitempty"`
	CreatedAt    string `json:"created_at" dynamodbav:"created_at"`
}

// donorInput is what a client sends to register or update a donor.
type donorInput struct {
	Name         string `json:"name"`
	BloodType    string `json:"blood_type"`
	City         string `json:"city"`
	Phone        string `json:"phone"`
	LastDonation string `json:"last_donation"`
}

func (in donorInput) validate() error {
	var problems []string
	if strings.TrimSpace(in.Name) == "" {
		problems = append(problems, "name is required")
	}
	if !slices.Contains(bloodTypes, in.BloodType) {
		problems = append(problems, fmt.Sprintf("blood_type %q is not one of %s", in.BloodType, strings.Join(bloodTypes, ", ")))
	}
	if in.LastDonation != "" {
		if _, err := time.Parse(time.DateOnly, in.LastDonation); err != nil {
			problems = append(problems, fmt.Sprintf("last_donation %q is not a date (YYYY-MM-DD)", in.LastDonation))
		}
	}
	if len(problems) > 0 {
		return app.UnprocessableEntity("%s", strings.Join(problems, "; "))
	}
	return nil
}

// store keeps donors in DynamoDB.
type store struct {
	db    *dynamodb.Client
	table string
}

func (s *store) tableName() (*string, error) {
	if s.table == "" {
		return nil, app.InternalServerError("TABLE_NAME is not set: set it in .chalice/config.json (stages.<stage>.environment_variables)")
	}
	return aws.String(s.table), nil
}

func (s *store) createDonor(w http.ResponseWriter, r *http.Request) {
	var in donorInput
	if err := app.DecodeJSON(r, &in); err != nil {
		app.WriteError(w, err)
		return
	}
	if err := in.validate(); err != nil {
		app.WriteError(w, err)
		return
	}
	table, err := s.tableName()
	if err != nil {
		app.WriteError(w, err)
		return
	}
	d := Donor{
		ID:           newID(),
		Name:         strings.TrimSpace(in.Name),
		BloodType:    in.BloodType,
		City:         in.City,
		Phone:        in.Phone,
		LastDonation: in.LastDonation,
		CreatedAt:    time.Now().UTC().Format(time.RFC3339),
	}
	item, err := attributevalue.MarshalMap(d)
	if err != nil {
		app.WriteError(w, err)
		return
	}
	_, err = s.db.PutItem(r.Context(), &dynamodb.PutItemInput{
		TableName:           table,
		Item:                item,
		ConditionExpression: aws.String("attribute_not_exists(id)"),
	})
	if err != nil {
		app.WriteError(w, fmt.Errorf("put donor: %w", err))
		return
	}
	w.Header().Set("Location", "/donors/"+d.ID)
	_ = app.WriteJSON(w, http.StatusCreated, d)
}

func (s *store) listDonors(w http.ResponseWriter, r *http.Request) {
	table, err := s.tableName()
	if err != nil {
		app.WriteError(w, err)
		return
	}
	filter := "NOT begins_with(id, :stats)"
	values := map[string]types.AttributeValue{":stats": &types.AttributeValueMemberS{Value: statsPrefix}}
	if bt := r.URL.Query().Get("blood_type"); bt != "" {
		if !slices.Contains(bloodTypes, bt) {
			app.WriteError(w, app.BadRequest("blood_type %q is not one of %s", bt, strings.Join(bloodTypes, ", ")))
			return
		}
		filter += " AND blood_type = :bt"
		values[":bt"] = &types.AttributeValueMemberS{Value: bt}
	}
	donors := []Donor{}
	p := dynamodb.NewScanPaginator(s.db, &dynamodb.ScanInput{
		TableName:                 table,
		FilterExpression:          aws.String(filter),
		ExpressionAttributeValues: values,
	})
	for p.HasMorePages() {
		page, err := p.NextPage(r.Context())
		if err != nil {
			app.WriteError(w, fmt.Errorf("scan donors: %w", err))
			return
		}
		var batch []Donor
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &batch); err != nil {
			app.WriteError(w, err)
			return
		}
		donors = append(donors, batch...)
	}
	slices.SortFunc(donors, func(a, b Donor) int { return strings.Compare(a.CreatedAt+a.ID, b.CreatedAt+b.ID) })
	_ = app.WriteJSON(w, http.StatusOK, map[string]any{"donors": donors})
}

func (s *store) getDonor(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	table, err := s.tableName()
	if err != nil {
		app.WriteError(w, err)
		return
	}
	if strings.HasPrefix(id, statsPrefix) {
		app.WriteError(w, app.NotFound("no donor %q", id))
		return
	}
	out, err := s.db.GetItem(r.Context(), &dynamodb.GetItemInput{
		TableName: table,
		Key:       donorKey(id),
	})
	if err != nil {
		app.WriteError(w, fmt.Errorf("get donor: %w", err))
		return
	}
	if out.Item == nil {
		app.WriteError(w, app.NotFound("no donor %q", id))
		return
	}
	var d Donor
	if err := attributevalue.UnmarshalMap(out.Item, &d); err != nil {
		app.WriteError(w, err)
		return
	}
	_ = app.WriteJSON(w, http.StatusOK, d)
}

func (s *store) updateDonor(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	var in donorInput
	if err := app.DecodeJSON(r, &in); err != nil {
		app.WriteError(w, err)
		return
	}
	if err := in.validate(); err != nil {
		app.WriteError(w, err)
		return
	}
	table, err := s.tableName()
	if err != nil {
		app.WriteError(w, err)
		return
	}
	out, err := s.db.UpdateItem(r.Context(), &dynamodb.UpdateItemInput{
		TableName:           table,
		Key:                 donorKey(id),
		ConditionExpression: aws.String("attribute_exists(id) AND NOT begins_with(id, :stats)"),
		UpdateExpression:    aws.String("SET #n = :n, blood_type = :bt, city = :c, phone = :p, last_donation = :ld"),
		ExpressionAttributeNames: map[string]string{
			"#n": "name", // "name" is a DynamoDB reserved word
		},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":n":     &types.AttributeValueMemberS{Value: strings.TrimSpace(in.Name)},
			":bt":    &types.AttributeValueMemberS{Value: in.BloodType},
			":c":     &types.AttributeValueMemberS{Value: in.City},
			":p":     &types.AttributeValueMemberS{Value: in.Phone},
			":ld":    &types.AttributeValueMemberS{Value: in.LastDonation},
			":stats": &types.AttributeValueMemberS{Value: statsPrefix},
		},
		ReturnValues: types.ReturnValueAllNew,
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		app.WriteError(w, app.NotFound("no donor %q", id))
		return
	}
	if err != nil {
		app.WriteError(w, fmt.Errorf("update donor: %w", err))
		return
	}
	var d Donor
	if err := attributevalue.UnmarshalMap(out.Attributes, &d); err != nil {
		app.WriteError(w, err)
		return
	}
	_ = app.WriteJSON(w, http.StatusOK, d)
}

func (s *store) deleteDonor(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	table, err := s.tableName()
	if err != nil {
		app.WriteError(w, err)
		return
	}
	_, err = s.db.DeleteItem(r.Context(), &dynamodb.DeleteItemInput{
		TableName:                 table,
		Key:                       donorKey(id),
		ConditionExpression:       aws.String("attribute_exists(id) AND NOT begins_with(id, :stats)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":stats": &types.AttributeValueMemberS{Value: statsPrefix}},
	})
	var failed *types.ConditionalCheckFailedException
	if errors.As(err, &failed) {
		app.WriteError(w, app.NotFound("no donor %q", id))
		return
	}
	if err != nil {
		app.WriteError(w, fmt.Errorf("delete donor: %w", err))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// getStats reports the donor count per blood type that handle_stream
// keeps.
func (s *store) getStats(w http.ResponseWriter, r *http.Request) {
	table, err := s.tableName()
	if err != nil {
		app.WriteError(w, err)
		return
	}
	keys := make([]map[string]types.AttributeValue, 0, len(bloodTypes))
	for _, bt := range bloodTypes {
		keys = append(keys, donorKey(statsPrefix+bt))
	}
	var items []map[string]types.AttributeValue
	request := map[string]types.KeysAndAttributes{*table: {Keys: keys}}
	for len(request) > 0 {
		out, err := s.db.BatchGetItem(r.Context(), &dynamodb.BatchGetItemInput{RequestItems: request})
		if err != nil {
			app.WriteError(w, fmt.Errorf("get stats: %w", err))
			return
		}
		items = append(items, out.Responses[*table]...)
		request = out.UnprocessedKeys
	}
	counts := map[string]int{}
	for _, bt := range bloodTypes {
		counts[bt] = 0
	}
	for _, item := range items {
		var st struct {
			ID    string `dynamodbav:"id"`
			Count int    `dynamodbav:"donors"`
		}
		if err := attributevalue.UnmarshalMap(item, &st); err != nil {
			app.WriteError(w, err)
			return
		}
		counts[strings.TrimPrefix(st.ID, statsPrefix)] = st.Count
	}
	_ = app.WriteJSON(w, http.StatusOK, map[string]any{"donors_by_blood_type": counts})
}

func donorKey(id string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: id}}
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
