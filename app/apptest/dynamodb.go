package apptest

import (
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// RecordOption configures a generated stream record.
type RecordOption func(*events.DynamoDBEventRecord)

// WithKeys names the table's key attributes; the record's Keys are taken
// from its image. Without it, a record has no Keys.
func WithKeys(names ...string) RecordOption {
	return func(r *events.DynamoDBEventRecord) {
		img := r.Change.NewImage
		if img == nil {
			img = r.Change.OldImage
		}
		r.Change.Keys = map[string]events.DynamoDBAttributeValue{}
		for _, n := range names {
			if v, ok := img[n]; ok {
				r.Change.Keys[n] = v
			}
		}
	}
}

// WithStreamViewType sets the stream view type (default
// NEW_AND_OLD_IMAGES) and drops the images it does not carry.
func WithStreamViewType(t events.DynamoDBStreamViewType) RecordOption {
	return func(r *events.DynamoDBEventRecord) {
		r.Change.StreamViewType = string(t)
		switch t {
		case events.DynamoDBStreamViewTypeKeysOnly:
			r.Change.NewImage, r.Change.OldImage = nil, nil
		case events.DynamoDBStreamViewTypeNewImage:
			r.Change.OldImage = nil
		case events.DynamoDBStreamViewTypeOldImage:
			r.Change.NewImage = nil
		}
	}
}

// WithCreationTime sets the record's ApproximateCreationDateTime (default:
// now, to the second).
func WithCreationTime(t time.Time) RecordOption {
	return func(r *events.DynamoDBEventRecord) {
		r.Change.ApproximateCreationDateTime = events.SecondsEpochTime{Time: t}
	}
}

// Insert returns an INSERT record whose new image is item, a struct or map
// marshalled as the AWS SDK's attributevalue package does (dynamodbav
// struct tags, then json tags). It panics if item cannot be marshalled, as
// it is test input.
func Insert(item any, opts ...RecordOption) events.DynamoDBEventRecord {
	return record(events.DynamoDBOperationTypeInsert, nil, mustItem(item), opts)
}

// Modify returns a MODIFY record from the old and new images.
func Modify(oldItem, newItem any, opts ...RecordOption) events.DynamoDBEventRecord {
	return record(events.DynamoDBOperationTypeModify, mustItem(oldItem), mustItem(newItem), opts)
}

// Remove returns a REMOVE record whose old image is item.
func Remove(item any, opts ...RecordOption) events.DynamoDBEventRecord {
	return record(events.DynamoDBOperationTypeRemove, mustItem(item), nil, opts)
}

func record(op events.DynamoDBOperationType, oldImg, newImg map[string]events.DynamoDBAttributeValue, opts []RecordOption) events.DynamoDBEventRecord {
	r := events.DynamoDBEventRecord{
		EventName: string(op),
		Change: events.DynamoDBStreamRecord{
			OldImage:       oldImg,
			NewImage:       newImg,
			StreamViewType: string(events.DynamoDBStreamViewTypeNewAndOldImages),
		},
	}
	for _, o := range opts {
		o(&r)
	}
	size := 0
	for _, img := range []map[string]events.DynamoDBAttributeValue{r.Change.Keys, r.Change.OldImage, r.Change.NewImage} {
		if b, err := json.Marshal(img); err == nil && img != nil {
			size += len(b)
		}
	}
	r.Change.SizeBytes = int64(size)
	return r
}

func mustItem(item any) map[string]events.DynamoDBAttributeValue {
	m, err := MarshalItem(item)
	if err != nil {
		panic("apptest: " + err.Error())
	}
	return m
}

// MarshalItem converts a struct or a map with string keys into a DynamoDB
// stream image, following the AWS SDK's attributevalue conventions: the
// `dynamodbav` tag (name, "omitempty", "string" for numbers kept as
// strings, "stringset"/"numberset"/"binaryset" for sets, "-" to skip), else
// the `json` tag, else the field name; strings are S, numbers N, bools
// BOOL, []byte B, nil NULL, slices L, maps and structs M, time.Time an
// RFC 3339 string.
func MarshalItem(item any) (map[string]events.DynamoDBAttributeValue, error) {
	av, err := marshal(reflect.ValueOf(item), "")
	if err != nil {
		return nil, err
	}
	if av.DataType() != events.DataTypeMap {
		return nil, fmt.Errorf("an item must be a struct or a map with string keys, not %T", item)
	}
	return av.Map(), nil
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	textMarshalType = reflect.TypeFor[encoding.TextMarshaler]()
)

func marshal(v reflect.Value, set string) (events.DynamoDBAttributeValue, error) {
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return events.NewNullAttribute(), nil
		}
		v = v.Elem()
	}
	if !v.IsValid() {
		return events.NewNullAttribute(), nil
	}
	if v.Type() == timeType {
		return events.NewStringAttribute(v.Interface().(time.Time).Format(time.RFC3339Nano)), nil
	}
	switch v.Kind() {
	case reflect.String:
		return events.NewStringAttribute(v.String()), nil
	case reflect.Bool:
		return events.NewBooleanAttribute(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return events.NewNumberAttribute(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return events.NewNumberAttribute(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		return events.NewNumberAttribute(strconv.FormatFloat(v.Float(), 'f', -1, v.Type().Bits())), nil
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			if v.Kind() == reflect.Slice && v.IsNil() {
				return events.NewNullAttribute(), nil
			}
			b := make([]byte, v.Len())
			reflect.Copy(reflect.ValueOf(b), v)
			return events.NewBinaryAttribute(b), nil
		}
		if v.Kind() == reflect.Slice && v.IsNil() {
			return events.NewNullAttribute(), nil
		}
		return marshalList(v, set)
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return events.DynamoDBAttributeValue{}, fmt.Errorf("map key type %s: DynamoDB maps need string keys", v.Type().Key())
		}
		if v.IsNil() {
			return events.NewNullAttribute(), nil
		}
		m := map[string]events.DynamoDBAttributeValue{}
		for _, k := range v.MapKeys() {
			av, err := marshal(v.MapIndex(k), "")
			if err != nil {
				return av, fmt.Errorf("%s: %w", k.String(), err)
			}
			m[k.String()] = av
		}
		return events.NewMapAttribute(m), nil
	case reflect.Struct:
		return marshalStruct(v)
	}
	if v.Type().Implements(textMarshalType) {
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil {
			return events.DynamoDBAttributeValue{}, err
		}
		return events.NewStringAttribute(string(b)), nil
	}
	return events.DynamoDBAttributeValue{}, fmt.Errorf("cannot marshal %s into a DynamoDB attribute", v.Type())
}

func marshalList(v reflect.Value, set string) (events.DynamoDBAttributeValue, error) {
	var list []events.DynamoDBAttributeValue
	for i := range v.Len() {
		av, err := marshal(v.Index(i), "")
		if err != nil {
			return av, fmt.Errorf("[%d]: %w", i, err)
		}
		list = append(list, av)
	}
	switch set {
	case "stringset", "numberset", "binaryset":
		var ss []string
		var bs [][]byte
		for _, av := range list {
			switch {
			case set == "stringset" && av.DataType() == events.DataTypeString:
				ss = append(ss, av.String())
			case set == "numberset" && av.DataType() == events.DataTypeNumber:
				ss = append(ss, av.Number())
			case set == "binaryset" && av.DataType() == events.DataTypeBinary:
				bs = append(bs, av.Binary())
			default:
				return events.DynamoDBAttributeValue{}, fmt.Errorf("%s holds a value that is not of the set's type", set)
			}
		}
		switch set {
		case "stringset":
			return events.NewStringSetAttribute(ss), nil
		case "numberset":
			return events.NewNumberSetAttribute(ss), nil
		default:
			return events.NewBinarySetAttribute(bs), nil
		}
	}
	if list == nil {
		list = []events.DynamoDBAttributeValue{}
	}
	return events.NewListAttribute(list), nil
}

func marshalStruct(v reflect.Value) (events.DynamoDBAttributeValue, error) {
	m := map[string]events.DynamoDBAttributeValue{}
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, opts := f.Name, []string(nil)
		if tag, ok := f.Tag.Lookup("dynamodbav"); ok {
			parts := strings.Split(tag, ",")
			if parts[0] == "-" {
				continue
			}
			if parts[0] != "" {
				name = parts[0]
			}
			opts = parts[1:]
		} else if tag, ok := f.Tag.Lookup("json"); ok {
			parts := strings.Split(tag, ",")
			if parts[0] == "-" {
				continue
			}
			if parts[0] != "" {
				name = parts[0]
			}
			opts = parts[1:]
		}
		fv := v.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && name == f.Name {
			inner, err := marshalStruct(fv)
			if err != nil {
				return inner, err
			}
			for k, av := range inner.Map() {
				if _, dup := m[k]; !dup {
					m[k] = av
				}
			}
			continue
		}
		if slices.Contains(opts, "omitempty") && fv.IsZero() {
			continue
		}
		set := ""
		for _, o := range opts {
			if strings.HasSuffix(o, "set") {
				set = o
			}
		}
		av, err := marshal(fv, set)
		if err != nil {
			return av, fmt.Errorf("%s: %w", f.Name, err)
		}
		if slices.Contains(opts, "string") && av.DataType() == events.DataTypeNumber {
			av = events.NewStringAttribute(av.Number())
		}
		m[name] = av
	}
	return events.NewMapAttribute(m), nil
}
