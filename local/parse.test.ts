import { describe, expect, it } from "vitest";
import { foreignRequest } from "./accept.js";
import { credentialScope, type KinesisCall, kinesisOperation, parseKinesisCall } from "./parse.js";
import type { Reply } from "./replies.js";

const signedFor = (service: string, region = "eu-west-1") =>
  `AWS4-HMAC-SHA256 Credential=test/20261130/${region}/${service}/aws4_request, SignedHeaders=host, Signature=abc`;
const json = { "content-type": "application/x-amz-json-1.1" };
const errorOf = (reply: KinesisCall | Reply) =>
  JSON.parse(String((reply as Reply).body)) as { __type: string; message: string };

describe("kinesisOperation: the calls MiniStack would serve as Kinesis, however spelled", () => {
  it.each([
    ["Kinesis_20131202.PutRecords", "kinesis", "PutRecords"],
    ["kinesis_20131202.PutRecords", "kinesis", "PutRecords"], // lowercase: routed by the signature's service
    ["Foo.PutRecords", "kinesis", "PutRecords"],
    ["Kinesis_20131202.PutRecords", "dynamodb", "PutRecords"], // the target wins over the signature
    ["", "kinesis", ""],
  ])("target %j signed for %s is %j", (target, service, operation) => {
    expect(kinesisOperation({ "x-amz-target": target, authorization: signedFor(service) })).toBe(operation);
  });

  it.each([
    ["DynamoDB_20120810.PutItem", "kinesis"], // MiniStack sends a DynamoDB target to DynamoDB
    ["Logs_20140328.PutLogEvents", "logs"],
    ["", "lambda"],
    ["Foo.PutRecords", "lambda"],
  ])("target %j signed for %s is not Kinesis", (target, service) => {
    expect(kinesisOperation({ "x-amz-target": target, authorization: signedFor(service) })).toBeUndefined();
  });

  it("reads the access key, region and service a request is signed for", () => {
    expect(credentialScope({ authorization: signedFor("kinesis", "ap-south-1") })).toEqual({
      accessKey: "test",
      region: "ap-south-1",
      service: "kinesis",
    });
    expect(credentialScope({})).toEqual({ accessKey: undefined, region: undefined, service: undefined });
  });
});

describe("parseKinesisCall: AWS's 400 for what does not parse, whatever the content type", () => {
  const parse = (operation: string, body: string, headers: Record<string, string> = json) =>
    parseKinesisCall(operation, { ...headers, authorization: signedFor("kinesis") }, Buffer.from(body));
  const data = Buffer.from("hello").toString("base64");

  it("reads a body as JSON with no Content-Type, or text/plain", () => {
    for (const headers of [{}, { "content-type": "text/plain" }] as Record<string, string>[]) {
      const call = parse("PutRecord", JSON.stringify({ StreamName: "s", Data: data, PartitionKey: "k" }), headers);
      expect(call).toMatchObject({ operation: "PutRecord", stream: "s", region: "eu-west-1" });
      expect((call as KinesisCall).entries).toEqual([{ Data: data, PartitionKey: "k", dataBytes: 5 }]);
    }
  });

  it.each([
    ["malformed JSON", "PutRecords", "{not json", "SerializationException", /not valid JSON/],
    ["a JSON array", "PutRecords", "[]", "SerializationException", /JSON object/],
    [
      "a null record",
      "PutRecords",
      '{"StreamName":"s","Records":[null]}',
      "ValidationException",
      /'records\.1\.member'/,
    ],
    [
      "an ExplicitHashKey that is not a number",
      "PutRecord",
      `{"StreamName":"s","Data":"${data}","PartitionKey":"k","ExplicitHashKey":"abc"}`,
      "ValidationException",
      /'explicitHashKey'/,
    ],
    [
      "an ExplicitHashKey above 2^128-1",
      "PutRecord",
      `{"StreamName":"s","Data":"${data}","PartitionKey":"k","ExplicitHashKey":"${2n ** 128n}"}`,
      "InvalidArgumentException",
      /\[0, 2\^128-1\]/,
    ],
    [
      "a numeric PartitionKey",
      "PutRecords",
      `{"StreamName":"s","Records":[{"Data":"${data}","PartitionKey":7}]}`,
      "SerializationException",
      /records\.1\.member\.partitionKey/,
    ],
    [
      "data that is not base64",
      "PutRecord",
      '{"StreamName":"s","Data":"a!b","PartitionKey":"k"}',
      "SerializationException",
      /data/,
    ],
    ["no records", "PutRecords", '{"StreamName":"s","Records":[]}', "ValidationException", /between 1 and 500/],
    [
      "an unknown iterator type",
      "GetShardIterator",
      '{"StreamName":"s","ShardId":"x","ShardIteratorType":"NEWEST"}',
      "ValidationException",
      /enum/,
    ],
    ["a Limit over 10,000", "GetRecords", '{"ShardIterator":"abc","Limit":20000}', "ValidationException", /'limit'/],
    [
      "a lone surrogate in a key",
      "PutRecord",
      '{"StreamName":"s","Data":"aGk=","PartitionKey":"\\ud800"}',
      "SerializationException",
      /Unicode/,
    ],
    [
      "a MaxResults that is not a number",
      "ListShards",
      '{"StreamName":"s","MaxResults":"ten"}',
      "ValidationException",
      /'maxResults'/,
    ],
    [
      "AT_SEQUENCE_NUMBER without a sequence number",
      "GetShardIterator",
      '{"StreamName":"s","ShardId":"x","ShardIteratorType":"AT_SEQUENCE_NUMBER"}',
      "InvalidArgumentException",
      /StartingSequenceNumber/,
    ],
    [
      "AT_TIMESTAMP with a date that is not one",
      "GetShardIterator",
      '{"StreamName":"s","ShardId":"x","ShardIteratorType":"AT_TIMESTAMP","Timestamp":"soon"}',
      "ValidationException",
      /'timestamp'/,
    ],
    [
      "a split key that is not a number",
      "SplitShard",
      '{"StreamName":"s","ShardToSplit":"x","NewStartingHashKey":"half"}',
      "ValidationException",
      /'newStartingHashKey'/,
    ],
    [
      "a name and an ARN of different streams",
      "PutRecord",
      `{"StreamName":"a","StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/b","Data":"${data}","PartitionKey":"k"}`,
      "InvalidArgumentException",
      /different streams/,
    ],
  ])("%s", (_, operation, body, type, message) => {
    const reply = parse(operation, body);
    expect((reply as Reply).status).toBe(400);
    expect(errorOf(reply).__type).toBe(type);
    expect(errorOf(reply).message).toMatch(message);
  });

  it("refuses CBOR, which it cannot meter, with what to set instead", () => {
    const reply = parse("PutRecord", "\xa0", { "content-type": "application/x-amz-cbor-1.1" });
    expect(errorOf(reply).message).toMatch(/aws\.cborEnabled=false/);
  });

  it("takes a sequence number as MiniStack writes it, padded with zeros", () => {
    const body =
      '{"StreamName":"s","ShardId":"x","ShardIteratorType":"AFTER_SEQUENCE_NUMBER","StartingSequenceNumber":"00042"}';
    expect(parse("GetShardIterator", body)).toMatchObject({ operation: "GetShardIterator" });
  });

  it("takes the stream from its ARN alone", () => {
    const call = parse("ListShards", '{"StreamARN":"arn:aws:kinesis:us-east-1:000000000000:stream/orders"}');
    expect(call).toMatchObject({ stream: "orders" });
  });
});

describe("foreignRequest: only this machine's own clients", () => {
  it.each([
    [{ host: "127.0.0.1:4599" }, undefined],
    [{ host: "localhost:4599" }, undefined],
    [{ ":authority": "127.0.0.1:4599" }, undefined],
    [{ host: "127.0.0.1:4599", origin: "http://127.0.0.1:4599" }, undefined],
    [{ host: "evil.example:4599" }, /Host/],
    [{ host: "127.0.0.1:80" }, /Host/],
    [{}, /Host/],
    [{ host: "127.0.0.1:4599", origin: "http://127.0.0.1:8080" }, /WORKSHOP_ALLOW_ORIGINS=http:\/\/127\.0\.0\.1:8080/],
    [{ host: "127.0.0.1:4599", origin: "null" }, /web pages/],
    [{ host: "127.0.0.1:4599", "sec-fetch-site": "cross-site" }, /Sec-Fetch-Site/],
    [{ host: "127.0.0.1:4599", "sec-fetch-site": "none" }, undefined],
  ])("%j", (headers, refusal) => {
    const reason = foreignRequest(headers, 4599);
    if (refusal) expect(reason).toMatch(refusal);
    else expect(reason).toBeUndefined();
  });

  it("lets an allowed origin through", () => {
    const headers = { host: "127.0.0.1:4599", origin: "http://localhost:3000", "sec-fetch-site": "same-site" };
    expect(foreignRequest(headers, 4599, ["http://localhost:3000"])).toBeUndefined();
  });
});
