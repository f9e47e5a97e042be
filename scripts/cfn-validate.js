#!/usr/bin/env node
// cfn-validate checks CloudFormation and SAM templates (JSON) against the
// published resource schemas of @aws-cdk/aws-service-spec, the database
// the AWS CDK generates its L1 constructs from (the CloudFormation
// registry schemas plus the SAM specification):
//
//   - every resource type exists, and a SAM type has its Transform;
//   - every property is known, required properties are present, and values
//     have the schema's type (string, number, integer, boolean, JSON,
//     array, map, tag, nested types, unions) and allowed values;
//   - Ref, Fn::GetAtt and Fn::Sub name parameters, pseudo parameters and
//     resources of the template, and Fn::GetAtt attributes the type has;
//   - DependsOn names resources; parameters have a Type, outputs a Value.
//
// Intrinsic functions stand for any value of the right type; only their
// references are checked. A SAM resource's attributes are those of the
// resource the SAM transform makes under the same logical ID (a
// Serverless::Function's are AWS::Lambda::Function's).
//
// Usage: node scripts/cfn-validate.js [--json] TEMPLATE.json...
// Prints one line per problem, "FILE: PATH: message" (with --json, an
// object mapping each file to its problems), and exits 1 when a template
// has a problem, 2 on a usage error.
'use strict';

const fs = require('node:fs');
const { loadAwsServiceSpecSync } = require('@aws-cdk/aws-service-spec');

const PSEUDO = new Set([
  'AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition',
  'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix',
]);
const TOP_LEVEL = new Set([
  'AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Rules', 'Mappings',
  'Conditions', 'Transform', 'Resources', 'Outputs', 'Globals',
]);
const RESOURCE_KEYS = new Set([
  'Type', 'Properties', 'DependsOn', 'Metadata', 'Condition', 'DeletionPolicy',
  'UpdateReplacePolicy', 'CreationPolicy', 'UpdatePolicy',
]);
const PARAMETER_TYPES = /^(String|Number|List<Number>|CommaDelimitedList|AWS::[A-Za-z0-9:<>]+|List<AWS::[A-Za-z0-9:]+>)$/;
// What the SAM transform turns a SAM resource into, under the same
// logical ID: Fn::GetAtt on the SAM resource reads that resource's
// attributes.
const SAM_TRANSFORMS_TO = {
  'AWS::Serverless::Function': 'AWS::Lambda::Function',
  'AWS::Serverless::Api': 'AWS::ApiGateway::RestApi',
  'AWS::Serverless::HttpApi': 'AWS::ApiGatewayV2::Api',
  'AWS::Serverless::SimpleTable': 'AWS::DynamoDB::Table',
  'AWS::Serverless::LayerVersion': 'AWS::Lambda::LayerVersion',
  'AWS::Serverless::StateMachine': 'AWS::StepFunctions::StateMachine',
  'AWS::Serverless::Application': 'AWS::CloudFormation::Stack',
};

const db = loadAwsServiceSpecSync();
const resourceTypes = new Map();
function resourceType(name) {
  if (!resourceTypes.has(name)) {
    const found = db.lookup('resource', 'cloudFormationType', 'equals', name);
    resourceTypes.set(name, found.length === 1 ? found[0] : undefined);
  }
  return resourceTypes.get(name);
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const intrinsicName = (v) => {
  if (!isObject(v)) return undefined;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::')) ? keys[0] : undefined;
};
const describe = (t) => {
  switch (t.type) {
    case 'array': return `array of ${describe(t.element)}`;
    case 'map': return `map of ${describe(t.element)}`;
    case 'ref': return db.get('typeDefinition', t.reference.$ref).name;
    case 'union': return t.types.map(describe).join(' or ');
    default: return t.type;
  }
};

function validateTemplate(tpl) {
  const problems = [];
  const problem = (path, msg) => problems.push(`${path}: ${msg}`);
  if (!isObject(tpl)) {
    problem('(template)', 'a template is a JSON object');
    return problems;
  }
  for (const k of Object.keys(tpl)) {
    if (!TOP_LEVEL.has(k)) problem(k, `unknown top-level section (known: ${[...TOP_LEVEL].join(', ')})`);
  }
  const transforms = [].concat(tpl.Transform ?? []);
  const params = isObject(tpl.Parameters) ? tpl.Parameters : {};
  const resources = isObject(tpl.Resources) ? tpl.Resources : {};
  if (!isObject(tpl.Resources) || Object.keys(resources).length === 0) problem('Resources', 'a template needs at least one resource');

  for (const [name, p] of Object.entries(params)) {
    if (!/^[A-Za-z0-9]+$/.test(name)) problem(`Parameters.${name}`, 'a logical ID is alphanumeric');
    if (!isObject(p) || typeof p.Type !== 'string') problem(`Parameters.${name}`, 'a parameter needs a Type');
    else if (!PARAMETER_TYPES.test(p.Type)) problem(`Parameters.${name}.Type`, `unknown parameter type ${p.Type}`);
  }

  // attrsOf returns the attribute names of a template resource, undefined
  // when its type is unknown.
  const attrsOf = (logical) => {
    const r = resources[logical];
    const spec = r && resourceType(SAM_TRANSFORMS_TO[r.Type] ?? r.Type);
    return spec ? Object.keys(spec.attributes) : undefined;
  };
  const checkRef = (path, target) => {
    if (typeof target !== 'string') return problem(path, 'Ref takes a logical ID');
    if (!PSEUDO.has(target) && !(target in params) && !(target in resources)) {
      problem(path, `Ref to ${target}, which is not a parameter, a pseudo parameter or a resource of the template`);
    }
  };
  const checkGetAtt = (path, logical, attr) => {
    if (!(logical in resources)) return problem(path, `Fn::GetAtt on ${logical}, which is not a resource of the template`);
    const attrs = attrsOf(logical);
    if (attrs && !attrs.includes(attr)) {
      const type = resources[logical].Type;
      const as = SAM_TRANSFORMS_TO[type] ? ` (an ${SAM_TRANSFORMS_TO[type]} after the SAM transform)` : '';
      problem(path, `Fn::GetAtt: ${type}${as} has no attribute ${attr} (it has ${attrs.join(', ') || 'none'})`);
    }
  };
  // checkRefs checks every intrinsic function's references under v.
  const checkRefs = (path, v) => {
    if (Array.isArray(v)) return v.forEach((e, i) => checkRefs(`${path}[${i}]`, e));
    if (!isObject(v)) return;
    const fn = intrinsicName(v);
    if (fn === 'Ref') return checkRef(`${path}.Ref`, v.Ref);
    if (fn === 'Fn::GetAtt') {
      const a = v['Fn::GetAtt'];
      const [logical, ...rest] = Array.isArray(a) ? a : String(a).split('.');
      if (rest.length === 0) return problem(`${path}.Fn::GetAtt`, 'Fn::GetAtt takes [logical ID, attribute]');
      if (typeof rest[0] === 'string') checkGetAtt(`${path}.Fn::GetAtt`, logical, rest.join('.'));
      return;
    }
    if (fn === 'Fn::Sub') {
      const a = v['Fn::Sub'];
      const [str, vars] = Array.isArray(a) ? a : [a, {}];
      if (typeof str !== 'string') return problem(`${path}.Fn::Sub`, 'Fn::Sub takes a string or [string, variables]');
      for (const m of str.matchAll(/\$\{([^}]*)\}/g)) {
        const name = m[1];
        if (name.startsWith('!') || (isObject(vars) && name in vars)) continue;
        const dot = name.indexOf('.');
        if (dot > 0 && !name.startsWith('AWS::')) checkGetAtt(`${path}.Fn::Sub`, name.slice(0, dot), name.slice(dot + 1));
        else checkRef(`${path}.Fn::Sub`, name);
      }
      if (isObject(vars)) checkRefs(`${path}.Fn::Sub[1]`, vars);
      return;
    }
    for (const [k, e] of Object.entries(v)) checkRefs(`${path}.${k}`, e);
  };

  // checkValue checks v against a property type of the schema.
  const checkValue = (path, t, v, out) => {
    if (intrinsicName(v)) return;
    const bad = (what) => out.push(`${path}: ${what}`);
    switch (t.type) {
      case 'string':
      case 'date-time':
        if (typeof v !== 'string') return bad(`want a string, got ${JSON.stringify(v)}`);
        break;
      case 'number':
        if (typeof v !== 'number' && !(typeof v === 'string' && v.trim() !== '' && !isNaN(Number(v)))) return bad(`want a number, got ${JSON.stringify(v)}`);
        break;
      case 'integer':
        if (!Number.isInteger(typeof v === 'string' && v.trim() !== '' ? Number(v) : v)) return bad(`want an integer, got ${JSON.stringify(v)}`);
        break;
      case 'boolean':
        if (typeof v !== 'boolean' && v !== 'true' && v !== 'false') return bad(`want a boolean, got ${JSON.stringify(v)}`);
        break;
      case 'json':
        if (!isObject(v) && !Array.isArray(v)) return bad(`want a JSON object, got ${JSON.stringify(v)}`);
        return;
      case 'null':
        if (v !== null) return bad('want null');
        return;
      case 'tag':
        if (!isObject(v)) return bad('want a tag {"Key": ..., "Value": ...}');
        for (const k of Object.keys(v)) if (k !== 'Key' && k !== 'Value') bad(`a tag has only Key and Value, not ${k}`);
        for (const k of ['Key', 'Value']) {
          if (!(k in v)) bad(`a tag needs ${k}`);
          else checkValue(`${path}.${k}`, { type: 'string' }, v[k], out);
        }
        return;
      case 'array':
        if (!Array.isArray(v)) return bad(`want an array (${describe(t)}), got ${JSON.stringify(v)}`);
        v.forEach((e, i) => checkValue(`${path}[${i}]`, t.element, e, out));
        return;
      case 'map':
        if (!isObject(v)) return bad(`want an object (${describe(t)})`);
        for (const [k, e] of Object.entries(v)) checkValue(`${path}.${k}`, t.element, e, out);
        return;
      case 'ref': {
        const def = db.get('typeDefinition', t.reference.$ref);
        if (!isObject(v)) return bad(`want an object (${def.name})`);
        checkProperties(path, def.properties, v, def.name, out);
        return;
      }
      case 'union': {
        let best;
        for (const member of t.types) {
          const sub = [];
          checkValue(path, member, v, sub);
          if (sub.length === 0) return;
          if (!best || sub.length < best.length) best = sub;
        }
        out.push(...(best ?? [`${path}: matches none of ${describe(t)}`]));
        return;
      }
      default:
        return;
    }
    if (t.allowedValues && !t.allowedValues.some((a) => String(a) === String(v))) {
      bad(`${JSON.stringify(v)} is not one of the allowed values ${t.allowedValues.join(', ')}`);
    }
  };
  const checkProperties = (path, spec, props, typeName, out) => {
    for (const [k, v] of Object.entries(props)) {
      const p = spec[k];
      if (!p) {
        out.push(`${path}.${k}: ${typeName} has no property ${k}`);
        continue;
      }
      checkValue(`${path}.${k}`, p.type, v, out);
    }
    for (const [k, p] of Object.entries(spec)) {
      if (p.required && !(k in props)) out.push(`${path}: ${typeName} requires the property ${k}`);
    }
  };

  for (const [name, r] of Object.entries(resources)) {
    const path = `Resources.${name}`;
    if (!/^[A-Za-z0-9]+$/.test(name)) problem(path, 'a logical ID is alphanumeric');
    if (name in params) problem(path, 'a resource and a parameter share this logical ID');
    if (!isObject(r)) {
      problem(path, 'a resource is an object with a Type');
      continue;
    }
    for (const k of Object.keys(r)) if (!RESOURCE_KEYS.has(k)) problem(`${path}.${k}`, `unknown resource attribute (known: ${[...RESOURCE_KEYS].join(', ')})`);
    const spec = typeof r.Type === 'string' ? resourceType(r.Type) : undefined;
    if (!spec) {
      problem(`${path}.Type`, `unknown resource type ${JSON.stringify(r.Type)}`);
    } else {
      if (spec.cloudFormationTransform && !transforms.includes(spec.cloudFormationTransform)) {
        problem(`${path}.Type`, `${r.Type} needs "Transform": "${spec.cloudFormationTransform}"`);
      }
      const props = r.Properties ?? {};
      if (!isObject(props)) problem(`${path}.Properties`, 'Properties is an object');
      else checkProperties(`${path}.Properties`, spec.properties, props, r.Type, problems);
    }
    for (const dep of [].concat(r.DependsOn ?? [])) {
      if (!(dep in resources)) problem(`${path}.DependsOn`, `${dep} is not a resource of the template`);
    }
    checkRefs(`${path}.Properties`, r.Properties);
  }
  for (const [name, o] of Object.entries(isObject(tpl.Outputs) ? tpl.Outputs : {})) {
    if (!isObject(o) || !('Value' in o)) problem(`Outputs.${name}`, 'an output needs a Value');
    else checkRefs(`Outputs.${name}.Value`, o.Value);
  }
  checkRefs('Conditions', tpl.Conditions);
  return problems;
}

function main(argv) {
  const json = argv.includes('--json');
  const files = argv.filter((a) => a !== '--json');
  if (files.length === 0) {
    process.stderr.write('usage: node scripts/cfn-validate.js [--json] TEMPLATE.json...\n');
    return 2;
  }
  const results = {};
  for (const file of files) {
    let tpl;
    try {
      tpl = JSON.parse(fs.readFileSync(file, 'utf-8'));
    } catch (err) {
      results[file] = [`(file): ${err.message}`];
      continue;
    }
    results[file] = validateTemplate(tpl);
  }
  if (json) {
    process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  } else {
    for (const [file, problems] of Object.entries(results)) {
      for (const p of problems) process.stdout.write(`${file}: ${p}\n`);
    }
  }
  return Object.values(results).some((p) => p.length > 0) ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
