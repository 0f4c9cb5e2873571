"""Test servers and helpers: what the tests, the soak and the benchmarks start on 127.0.0.1.

Never imported by the product (the import contract in `.importlinter` forbids it): a fake
OpenAI-compatible model server, SeaweedFS as the S3 server, a throwaway Redis, daphne and
scratch deployments for the browser suite, and `require`, which turns a missing service into
a skip off CI and a failure on CI.
"""
