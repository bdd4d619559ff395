"""The masking function against a corpus of French sentences as caseworkers and members write them.

Every person here is fictional. Each case gives a sentence, the passages a member must not read, and
the passages that must survive (the masking must not eat the meaning of the text).
"""

import datetime
import time

import pytest

from parcours.pseudonymise import MASK, Redactor
from tests.factories import BeneficiaireFactory

PERSON = {
    "last_name": "Okonkwo",
    "first_names": "Blessing Joy",
    "usage_name": "Martin",
    "birth_date": datetime.date(1995, 3, 14),
    "birth_place": "Benin City (Nigeria)",
    "address": "12 rue des Lilas\n31000 Toulouse",
    "phone": "06 12 34 56 78",
}

# (sentence, what must vanish, what must stay)
CORPUS = [
    # The person's names, in every case and with or without accents.
    ("Blessing Okonkwo tient ses engagements.", ["Blessing", "Okonkwo"], ["tient ses engagements."]),
    ("Mme OKONKWO a trouvé un emploi.", ["OKONKWO"], ["a trouvé un emploi."]),
    ("blessing a repris contact avec sa famille.", ["blessing"], ["a repris contact avec sa famille."]),
    ("Joy est assidue aux cours de français.", ["Joy "], ["est assidue aux cours de français."]),
    ("Madame Martin-Okonkwo est suivie depuis 2024.", ["Martin", "Okonkwo"], ["est suivie depuis 2024."]),
    ("Okonkwo, Blessing : rendez-vous à la CPAM.", ["Okonkwo", "Blessing"], ["rendez-vous à la CPAM."]),
    # Initials.
    ("B. O. a signé son contrat d’engagement.", ["B. O."], ["a signé son contrat d’engagement."]),
    ("Suivi de B.J.O. depuis le printemps.", ["B.J.O."], ["Suivi de", "depuis le printemps."]),
    ("BO a obtenu son attestation.", ["BO "], ["a obtenu son attestation."]),
    # The person's birth date, in figures and in words.
    ("Elle est née le 14/03/1995.", ["14/03/1995"], ["Elle est née le"]),
    ("Date de naissance : 14.03.1995.", ["14.03.1995"], ["Date de naissance"]),
    ("Née le 14 mars 1995, elle a fui en 2019.", ["14 mars 1995"], ["elle a fui en 2019."]),
    ("Elle fêtera son anniversaire le 14 mars.", ["14 mars"], ["Elle fêtera son anniversaire le"]),
    ("Date saisie : 1995-03-14.", ["1995-03-14"], ["Date saisie"]),
    ("Elle est née en 1995 et a deux enfants.", ["1995"], ["et a deux enfants."]),
    ("Née au Nigeria en 1995, elle est arrivée en 2019.", ["1995"], ["elle est arrivée en 2019."]),
    ("Née vers mars 1995 selon ses papiers.", ["1995"], ["selon ses papiers."]),
    # The person's address, birth place, phone.
    ("Elle habite au 12 rue des Lilas depuis mai.", ["12 rue des Lilas"], ["Elle habite au", "depuis mai."]),
    ("Domiciliée 12, Rue des Lilas, 31000 Toulouse.", ["Lilas", "31000 Toulouse"], ["Domiciliée"]),
    ("Originaire de Benin City, elle parle edo.", ["Benin City"], ["elle parle edo."]),
    ("Sa mère vit toujours à Benin-City.", ["Benin"], ["Sa mère vit toujours à"]),
    ("Joignable au 06 12 34 56 78 le matin.", ["06 12 34 56 78"], ["le matin."]),
    ("Son numéro : 0612345678.", ["0612345678"], ["Son numéro"]),
    ("Elle répond au +33 6 12 34 56 78.", ["12 34 56 78"], ["Elle répond au"]),
    ("Tél. 06.12.34.56.78 (messagerie).", ["06.12.34.56.78"], ["(messagerie)."]),
    # Other people's identity: civilities, "née", phones, e-mails, addresses, postal codes.
    ("Mme Adaeze NWOSU l’héberge.", ["Adaeze", "NWOSU"], ["Mme", "l’héberge."]),
    ("M. Kouassi, son ancien logeur, a témoigné.", ["Kouassi"], ["son ancien logeur, a témoigné."]),
    ("Monsieur Jean-Paul Ferrand a été entendu.", ["Jean-Paul", "Ferrand"], ["a été entendu."]),
    ("Mlle Chioma Eze est sa cousine.", ["Chioma", "Eze"], ["est sa cousine."]),
    ("Madame de Villiers, bénévole, l’accompagne.", ["Villiers"], ["bénévole, l’accompagne."]),
    ("Sa tante, Mme Ngozi Adeyemi née Obi, vit à Lyon.", ["Ngozi", "Adeyemi", "Obi"], ["Sa tante"]),
    ("Son amie Grace, née le 3 mars 1990 à Lagos, témoigne.", ["3 mars 1990", "Lagos"], ["témoigne."]),
    ("Son fils est né en 2016 à Lomé.", ["2016", "Lomé"], ["Son fils est"]),
    ("Lieu de naissance : Port-Harcourt.", ["Port-Harcourt"], ["Lieu de naissance"]),
    ("Contact de l’avocate : 07 98 76 54 32.", ["07 98 76 54 32"], ["Contact de l’avocate"]),
    (
        "Elle écrit à marie.dupont@example.org chaque semaine.",
        ["marie.dupont@example.org"],
        ["chaque semaine."],
    ),
    ("Hébergée chez une amie au 4 bis avenue Jean Jaurès.", ["Jean Jaurès"], ["Hébergée chez une amie"]),
    (
        "Son ancien logement : 7 impasse de l’Église, 75011 Paris.",
        ["Église", "75011 Paris"],
        ["ancien logement"],
    ),
    ("Elle a déménagé chez sa sœur, 69003 Lyon.", ["69003 Lyon"], ["Elle a déménagé chez sa sœur"]),
    ("L’association est située 3 place du Capitole.", ["3 place du Capitole"], ["L’association est située"]),
    ("Le numéro étranger +234 803 123 4567 est coupé.", ["803 123 4567"], ["est coupé."]),
    # What must stay untouched: dates that are not the birth date, common words, titles.
    (
        "La commission a rendu un avis favorable le 3 mars",
        [],
        ["La commission a rendu un avis favorable le 3 mars"],
    ),
    ("Le contrat a commencé le 14/03/2025.", [], ["Le contrat a commencé le 14/03/2025."]),
    ("Audience fixée au 14 mars 2026.", [], ["Audience fixée au 14 mars 2026."]),
    (
        "Elle suit des cours de FLE et a une place en CHRS.",
        [],
        ["Elle suit des cours de FLE et a une place en CHRS."],
    ),
    ("Monsieur le Préfet a signé l’autorisation.", [], ["Monsieur le Préfet a signé l’autorisation."]),
    ("Madame la Présidente ouvre la séance.", [], ["Madame la Présidente ouvre la séance."]),
    ("Ressources : 343,20 € par mois depuis 2023.", [], ["Ressources : 343,20 € par mois depuis 2023."]),
    ("Elle ne souhaite pas retourner dans la rue.", [], ["Elle ne souhaite pas retourner dans la rue."]),
    ("Inscrite à France Travail en 1995 ? Non, en 2024.", [], ["France Travail"]),
    ("L’objectif du mois de mars est l’ouverture des droits.", [], ["l’ouverture des droits."]),
    ("La joie de retrouver un logement.", [], ["La joie de retrouver un logement."]),
]


@pytest.fixture(scope="module")
def redact():
    return Redactor(BeneficiaireFactory.build(**PERSON))


@pytest.mark.parametrize(("sentence", "vanish", "stay"), CORPUS, ids=[case[0][:40] for case in CORPUS])
def test_corpus_sentence_is_masked_as_expected(redact, sentence, vanish, stay):
    masked = redact(sentence)
    for passage in vanish:
        assert passage not in masked, (sentence, masked)
    for passage in stay:
        assert passage in masked, (sentence, masked)
    assert (MASK in masked) == bool(vanish), masked


def test_corpus_covers_at_least_forty_sentences():
    assert len(CORPUS) >= 40
    assert sum(1 for _sentence, vanish, _stay in CORPUS if not vanish) >= 10


def test_consecutive_passages_become_one_mask(redact):
    assert redact("Blessing Joy OKONKWO a signé.") == f"{MASK} a signé."


def test_segments_show_the_author_which_passages_will_be_masked(redact):
    segments = redact.segments("Mme Okonkwo vit au 12 rue des Lilas.")
    assert [text for text, masked in segments if masked] == ["Okonkwo", "12 rue des Lilas"]
    assert "".join(text for text, _masked in segments) == "Mme Okonkwo vit au 12 rue des Lilas."


def test_a_session_text_masks_every_person_of_the_session():
    first = BeneficiaireFactory.build(**PERSON)
    second = BeneficiaireFactory.build(last_name="Adjoa", first_names="Efua", birth_date=None, address="")
    masked = Redactor(first, second)("Report demandé pour Efua et pour Blessing.")
    assert "Efua" not in masked and "Blessing" not in masked


def test_masking_a_long_text_stays_fast(redact):
    text = " ".join(sentence for sentence, _vanish, _stay in CORPUS) * 5
    Redactor(BeneficiaireFactory.build(**PERSON))(text)  # patterns compiled once for this identity
    started = time.perf_counter()
    for _ in range(20):
        redact(text)
    # About 25 000 characters, twenty times: far under a second on any machine that runs the tests.
    assert time.perf_counter() - started < 2
