"""The language model of the chat runs: an OpenAI-compatible server with a known latency.

Run in a process of its own (`python -m bench.model_server`), so that its streams do not
compete for the measuring process's interpreter lock. Its first token comes
`--first-token-ms` after the request, then one word every `--token-ms`; it prints its base
URL on the first line and serves until its standard input closes.
"""

import argparse
import re
import sys

from ai.testing.openai_server import FakeOpenAIServer

API_KEY = "bench-model-key"
# A grounded answer of a usual length: ~60 words, each one streamed token.
ANSWER = (
    "D'après les documents, cette page du manuel décrit précisément ce que vous cherchez [1]. "
    "Elle présente d'abord la syntaxe, puis chaque option avec son effet, les valeurs "
    "renvoyées et les erreurs possibles. Les exemples en fin de page montrent un usage "
    "courant ; la section VOIR AUSSI renvoie vers les pages voisines qui complètent la "
    "réponse [2]. Vérifiez la version installée avant de vous fier aux détails."
)


def answer_words() -> int:
    return len(re.findall(r"\S+\s*", ANSWER))


def model_total_ms(*, first_token_ms: float, token_ms: float) -> float:
    """The model's own time for the whole answer: its first token, then one per word."""
    return first_token_ms + (answer_words() - 1) * token_ms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first-token-ms", type=float, default=200)
    parser.add_argument("--token-ms", type=float, default=10)
    arguments = parser.parse_args()
    with FakeOpenAIServer(api_key=API_KEY) as server:
        server.first_token_delay = arguments.first_token_ms / 1000
        server.token_delay = arguments.token_ms / 1000
        server.chat_answer = lambda request: ANSWER
        # The server records every request; a long run would keep them all.
        server.requests = _Forgetful()
        print(server.base_url, flush=True)
        sys.stdin.read()


class _Forgetful(list):
    def append(self, item: object) -> None:
        pass


if __name__ == "__main__":
    main()
