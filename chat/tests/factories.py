import factory
from django.contrib.auth import get_user_model

from chat.models import Conversation, CorrectionProposal, Exchange
from documents.tests.factories import CategoryFactory


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()

    username = factory.Sequence(lambda n: f"agent-{n}")


class ConversationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conversation

    user = factory.SubFactory(UserFactory)
    category = factory.SubFactory(CategoryFactory)
    title = "Combien de jours de télétravail ?"


class ExchangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exchange

    conversation = factory.SubFactory(ConversationFactory)
    question = "Combien de jours de télétravail ?"
    standalone_question = factory.SelfAttribute("question")
    answer = "Trois jours par semaine [1]."
    status = Exchange.Status.DONE
    outcome = Exchange.Outcome.GENERATED


class CorrectionProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CorrectionProposal

    exchange = factory.SubFactory(ExchangeFactory)
    category = factory.SelfAttribute("exchange.conversation.category")
    question = factory.SelfAttribute("exchange.standalone_question")
    answer = "Deux jours par semaine pour un agent à temps plein."
    author = factory.SelfAttribute("exchange.conversation.user")
