"""The rule-and-lexicon detector on the cases the product depends on, in all four languages."""

from __future__ import annotations

import pytest

from lifeguard.detection.assessment import Assessment, TextInput
from lifeguard.detection.levels import Level
from lifeguard.detection.lexicon_detector import MAX_CHARS, LexiconDetector
from tests.detection.conftest import Assess

N, IND, IDE, BEH, ATT = Level.NONE, Level.INDICATOR, Level.IDEATION, Level.BEHAVIOR, Level.ATTEMPT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # indicator: distress, hopelessness
        ("活着没意思", IND),
        ("I feel hopeless", IND),
        ("sab khatam", IND),
        ("थक गया हूँ जिंदगी से", IND),
        # ideation: wish to die
        ("不想活了", IDE),
        ("i don't want to be in this world anymore", IDE),  # the hybrid read it as none (session 28)
        ("i don't wanna be here anymore", IDE),
        ("i don't want to live in this house anymore", N),
        ("i dont wanna be on this team anymore", N),
        ("我真的活不下去了", IDE),
        ("I want to die", IDE),
        ("I can't live any longer", IDE),
        ("mar jaana chahta hoon", IDE),
        ("मैं मरना चाहती हूँ", IDE),
        ("jeena nahi chahta", IDE),
        # behavior: plan, method, preparation, means, self-harm
        ("攒了50片安眠药", BEH),
        ("吃多少安眠药会死", BEH),
        ("how many pills to overdose", BEH),
        ("真想从楼上跳下去", BEH),
        ("不想活了，家里有百草枯", BEH),
        ("想烧炭", BEH),
        ("I want to die. I bought a rope", BEH),
        ("I keep cutting myself", BEH),
        ("I wrote my goodbye letters", BEH),
        ("Alvida doston, meri saari cheezein meri behen ko de dena", BEH),
        # attempt: imminent with time or place, in progress, past attempt disclosed
        ("等爸妈睡了我就从楼上跳下去", ATT),
        ("我不想活了，现在我就从楼上跳下去", ATT),  # "now I will": not only the set phrase 现在就
        ("tonight I will end it", ATT),
        ("I already took the pills", ATT),
        ("我上次吞过药", ATT),
        ("之前烧炭没有死干净。", ATT),  # a failed attempt is an attempt (C-SSRS), not a method mentioned
        ("前几天刚经历一次烧炭失败", ATT),
        ("去年烧炭没成功 今年跳楼一定会加油", ATT),
        ("aaj raat sab khatam kar dunga", ATT),
        ("आज रात सब खत्म कर दूंगा", ATT),
        ("我现在站在天台上，想跳下去", ATT),
        ("我已经把一整瓶安眠药都吞了", ATT),  # 把: the pills before the verb
        ("我刚把30片药全吃了，好困", ATT),
        ("I've taken 40 tablets of paracetamol", ATT),  # a count of ten or more, with or without "just"
        ("I swallowed a whole bottle of sleeping pills", ATT),
        ("I want to take an overdose", BEH),  # a plan, not an attempt under way
        ("मैंने सारी नींद की गोलियां खा ली हैं", ATT),  # "sleeping pills" no longer hides "have swallowed"
        ("maine neend ki goliyan kha li hai", ATT),
        ("我刚吃了一整板安眠药", ATT),
        ("我喝了一瓶敌敌畏", ATT),
        ("I have the rope ready for tonight", ATT),  # prepared means + a time
        ("this is my last message, I love you all", BEH),
        # the writer's own (not support), and the pesticide asked of the shop is theirs too: a means today
        ("can you deliver the pesticide today? i need it to end everything", ATT),
        ("明天就是我的死期", ATT),
        ("bas ab aur nahi jeena", IDE),
        ("kal subah tak sab khatam ho jayega, alvida", ATT),
    ],
)
def test_levels_across_languages(assess_text: Assess, text: str, expected: Level) -> None:
    result = assess_text(text)
    assert result.level == expected, (text, result.reasons)


@pytest.mark.parametrize(
    ("text", "negated_reason"),
    [
        ("I don't want to die", "negated:en:"),
        ("我不想死", "negated:zh:"),
        ("main marna nahi chahta", "negated:hi-Latn:"),
        ("मैं मरना नहीं चाहता", "negated:hi:"),
        ("I would never kill myself", "negated:en:"),
        ("我不会去跳楼的，放心", "negated:zh:"),
    ],
)
def test_negation_is_not_ideation(assess_text: Assess, text: str, negated_reason: str) -> None:
    result = assess_text(text)
    assert result.level < IDE, result.reasons
    assert any(reason.startswith(negated_reason) for reason in result.reasons), result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "我要跳七楼会不会死掉？",  # A-not-A questions (会不会, 有没有) ask; they do not negate
        "又活了一天。有没有一起自杀的？",
        "有人有不那么痛的死亡的方法吗",  # 痛的死亡 is "a painful death", not the hyperbole 痛死
        "我仍然在研究自杀手册",  # 自杀手册 (a suicide manual), not 杀手 (killer)
        "上吊虽然死相不好看",  # 死相 taken literally (how the body looks), not the teasing insult
    ],
)
def test_questions_and_literal_words_are_not_set_aside(assess_text: Assess, text: str) -> None:
    result = assess_text(text)
    assert not any(reason.startswith(("negated:", "idiom:")) for reason in result.reasons), result.reasons


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("广州今天有人约一起跳楼吗", IDE),  # recruiting for a pact: the writer's own risk, not a report
        ("有没有人一起烧炭", IDE),
        ("有人试过烧炭吗..要买哪种炭啊", BEH),  # asking others about a method
    ],
)
def test_asking_others_to_join_or_advise_is_the_writers_risk(assess_text: Assess, text: str, expected: Level) -> None:
    result = assess_text(text)
    assert result.level == expected and result.third_party_level is N, result.reasons


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我就想一个人安安静静的走的留一份遗书", BEH),  # 一个人 here is "alone", not "a person"; a note to leave
        ("我准备大年三十当着他们面跳楼", BEH),  # 当着他们面: "in front of them", the plan is the writer's
        ("我想去找你 可是我不敢直接像他们那样跳楼", IND),  # 像他们那样: "like them"
        ("有人有知道烧炭相关常识吗", BEH),
        # someone to talk to is the one listening, not the one at risk (session 31, from an SDCNL post)
        ("I wish I could talk to someone about suicide", IND),
        ("i need someone to talk to about suicide", IND),
    ],
)
def test_people_named_in_passing_do_not_make_the_writers_words_a_report(
    assess_text: Assess, text: str, expected: Level
) -> None:
    result = assess_text(text)
    assert result.level == expected and result.third_party_level is N, result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "群里有一个人说他要自杀",
        "我看着他跳楼了",
        "他打算明天跳河",
        "i need to talk to someone who is suicidal, how do i help",
    ],
)
def test_reports_about_someone_else_stay_reports(assess_text: Assess, text: str) -> None:
    result = assess_text(text)
    assert result.level is N and result.third_party_level > N, result.reasons


@pytest.mark.parametrize("text", ["准备周末和朋友烧炭烤肉", "周末去露营要自己烧炭吗"])
def test_charcoal_for_a_barbecue_is_not_a_plan(assess_text: Assess, text: str) -> None:
    assert assess_text(text).level is N


def test_a_reported_pact_invitation_stays_about_someone_else(assess_text: Assess) -> None:
    result = assess_text("他说有人约他一起跳楼")
    assert result.level is N and result.third_party_level == IDE, result.reasons


def test_negation_keeps_the_term_in_the_reason(assess_text: Assess) -> None:
    result = assess_text("I do not really want to kill myself")
    assert result.level is N
    assert "negated:en:want to die" in result.reasons


def test_negation_does_not_leak_across_clauses(assess_text: Assess) -> None:
    assert assess_text("I don't know why, but I want to die").level == IDE
    assert assess_text("我不知道为什么，就是想死").level == IDE


@pytest.mark.parametrize(
    ("text", "third_level"),
    [
        ("my friend wants to kill herself", IDE),
        ("我朋友说她不想活了", IDE),
        ("meri dost marna chahti hai", IDE),
        ("मेरी दोस्त मरना चाहती है", IDE),
        ("My brother said he will kill himself tonight", ATT),
        ("我闺蜜最近很不对劲，说不想活了", IDE),
        ("我哥刚吞了一整瓶药，现在叫不醒了", ATT),  # the short family forms: 我哥, 我姐, 我弟, 我妹, 老妈...
        ("我姐说她不想活了", IDE),
        ("我奶奶说想喝农药", BEH),
        ("my brother just swallowed a whole bottle of pills and won't wake up", ATT),
        ("my sister took an overdose, please help", ATT),
        ("mere bhai ne saari neend ki goliyan kha li, uth nahi raha", ATT),
        ("我妈喝了农药，现在在医院", ATT),
        # Hindi names kin without "my": a relative with a verb of saying, or with "ne" before an act (session 28)
        ("बीवी कहती है उसे जीना नहीं है, मैं समझ नहीं पा रहा कैसे मदद करूँ", IDE),
        ("पड़ोस का लड़का कहता है पढ़ाई के प्रेशर से मरना चाहता है", IDE),
        ("नौ साल का बेटा कहता है उसे मरना है, क्या ये नॉर्मल है", IDE),
        ("didi bolti h ab marna chahti hu", IDE),
        ("भाई ने ज़हर पी लिया", ATT),
        ("बेटे ने मेरी सारी दवाइयाँ खा लीं, अभी खाली डिब्बा मिला", ATT),
        ("chachu ne ek ghanta pehle chuhe maarne ki dawai kha li", ATT),
        ("choti behen ne mummy ki saari goliyan kha li", ATT),
        # a relative to whom thoughts of dying come ("KIN ko … ke khayal aate"), session 29
        ("mummy ko marne ke khayal aate h", IDE),
        ("मेरी बहन को रोज़ मरने के विचार आते हैं", IDE),
    ],
)
def test_third_person_is_support_not_own_risk(assess_text: Assess, text: str, third_level: Level) -> None:
    result = assess_text(text)
    assert result.level is N, result.reasons
    assert result.support is True
    assert result.third_party_level == third_level, result.reasons
    assert "rule:support.third_party_risk" in result.reasons


def test_first_person_after_a_third_person_mention_is_own_risk(assess_text: Assess) -> None:
    result = assess_text("I told my mom that I want to die")
    assert result.level == IDE
    assert result.third_party_level is N


@pytest.mark.parametrize(
    "text",
    [
        "记得把药吃了",
        "宝宝把药吃了吗",
        "刚才把一盒维生素片吃完了，再买一盒",
        "I just took 2 tablets of advil for my headache",
        "I took all my pills today",
        "I overdosed on chocolate lol",
        "吃了农药残留的菜会不会有事",
        "小狗吃了老鼠药怎么办",  # a pet, not a person
        "我家狗狗吃了点农药",
        # a few pills for a headache or a fever, in Hindi (session 29: the Devanagari line was read as an attempt)
        "मैंने सिर दर्द के लिए दो गोलियाँ खा लीं",
        "maine sir dard ke liye 2 goliyan kha li",
        "usne 2 goliyan kha li sir dard ke liye",
    ],
)
def test_medicine_taken_as_meant_and_poisoned_pets_are_not_attempts(assess_text: Assess, text: str) -> None:
    result = assess_text(text)
    assert result.level is N and result.third_party_level is N, result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "got the rope ready for the camping trip",  # a rope is a means word: indicator at most
        "this is my last message before the holidays, see you in january",
        "I need it to end by friday",
        "这个价格简直是我的死期",
        "aise nahi jeena padega",
        "match khatam ho jayega, alvida tak",
        # a relative's medicine and meal (session 28)
        "bhai ne sari dawai kha li ab bukhar kam hai",
        "दीदी ने दवाई खा ली, अब बुखार उतर गया",
        "भाई ने खाना खा लिया",
    ],
)
def test_ordinary_uses_of_goodbye_and_plan_words_open_no_case(assess_text: Assess, text: str) -> None:
    result = assess_text(text)
    assert result.level <= IND and result.third_party_level is N, result.reasons


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a relative's words or deeds first, then the writer's own: the writer's (Hindi drops the "I" as Chinese does)
        ("पापा ने डांटा तो डिब्बे की सारी दवाइयाँ खा लीं", ATT),
        ("papa ne daanta to dabbe ki saari goliyan kha li", ATT),
        ("दीदी बोलती है मैं घर पे बोझ हूँ, अब जीने का मन नहीं", IDE),
        ("bf bolta h tu bahut irritating hai, shayad mai mar jau to usko sukoon milega", IDE),
        # thoughts of death that keep coming, beside dyed hair, laughter, games and a nurse's work
        ("i think about dying every day", IDE),
        ("i keep thinking about dying every night", IDE),
        ("honestly i think about not waking up every morning", IDE),
        ("i think about dying my hair red every day", N),
        ("i think about death all the time, i'm a hospice nurse", N),
        ("i think about dying of laughter every time i see that video", N),
        ("i think about dying in minecraft all the time", N),
    ],
)
def test_the_writers_own_words_after_someone_elses_and_thoughts_of_death(
    assess_text: Assess, text: str, expected: Level
) -> None:
    result = assess_text(text)
    assert result.level is expected and result.third_party_level is N, result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "i don't think about dying every day anymore",
        "i no longer think about death",
        "i dont think about killing myself like i used to",
    ],
)
def test_thoughts_of_death_that_stopped_are_set_aside_as_negated(assess_text: Assess, text: str) -> None:
    result = assess_text(text)
    assert result.level is N and any(reason.startswith("negated:en:") for reason in result.reasons), result.reasons


def test_dropped_subject_after_blaming_others_stays_with_the_writer(assess_text: Assess) -> None:
    # Chinese drops subjects: "爸妈天天吵架，不想活了" is the writer's own wish, not the parents'.
    assert assess_text("爸妈天天吵架，不想活了").level == IDE
    assert assess_text("我恨他 不想活了").level == IDE
    assert assess_text("我想死，我哥也不管我").level == IDE
    assert assess_text("我不想活了，我妈不理解我").level == IDE


def test_report_kind_reads_unmarked_risk_as_about_someone_else(assess_text: Assess) -> None:
    result = assess_text("QQ群里有个男生说他今晚就要自杀，还发了遗书的照片", kind="report")
    assert result.level is N
    assert result.support is True
    assert result.third_party_level == ATT


@pytest.mark.parametrize(
    "text",
    [
        "If you're struggling, call a hotline",
        "You're not alone. Please reach out to the Samaritans on 116 123.",
        "如果你有轻生的念头，请拨打心理援助热线，你不是一个人",
        "aap akele nahi ho, Tele MANAS helpline 14416 par baat karein",
        "您愿意和我聊聊吗？我一直在这里陪着你",
    ],
)
def test_offers_of_support(assess_text: Assess, text: str) -> None:
    result = assess_text(text)
    assert result.level is N, result.reasons
    assert result.support is True
    assert "rule:support.offer" in result.reasons


def test_questions_to_the_other_person_are_not_the_writers_risk(assess_text: Assess) -> None:
    result = assess_text("你是不是想自杀？")
    assert result.level is N
    assert any(reason.startswith("addressee:") for reason in result.reasons)


def test_past_ideation_with_recovery_is_lower_than_present(assess_text: Assess) -> None:
    past = assess_text("I used to want to die, I'm better now")
    present = assess_text("I want to die")
    assert past.level < present.level
    assert past.level == IND
    assert past.score < present.score
    assert "rule:indicator.past_ideation" in past.reasons
    assert assess_text("以前也想过死，现在好多了").level == IND


def test_past_attempt_in_a_present_crisis_is_still_an_attempt(assess_text: Assess) -> None:
    assert assess_text("I tried to kill myself last year and I want to die again").level == ATT
    assert assess_text("我自杀过一次，现在又不想活了").level == ATT


def test_past_attempt_told_as_recovery_is_not_an_attempt(assess_text: Assess) -> None:
    result = assess_text("I attempted suicide years ago. I'm in a better place now")
    assert result.level == IND
    assert "rule:indicator.past_attempt_recovered" in result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "笑死我了",
        "今天累死了",
        "饿死了，外卖怎么还没到",
        "热死了，空调坏了",
        "这把杀鱼刀很好用",
        "双十一秒杀，手慢无",
        "这个死贵死贵的",
        "气死我了，快递又丢了",
        "想死你们了！",
        "跳楼价大甩卖，全场五折",
        "I'm dying to get this",
        "killer deal on these headphones",
        "dead tired after work",
        "this killed me lol",
        "this app is killing my battery",
        "the chocolate cake is to die for",
        "mar gaya yaar hanste hanste",
        "bore ho ke mar gaya",
        "the deal is dead and buried",
        "हंसते हंसते मर गया",
        "usko jaan se maar dunga",
        "go kill yourself",
    ],
)
def test_idioms_and_hyperbole_are_not_risk(assess_text: Assess, text: str) -> None:
    result = assess_text(text)
    assert result.level is N, result.reasons
    assert result.spans == ()


@pytest.mark.parametrize(
    "text",
    [
        "新闻说某国通过了安乐死法案，你们怎么看",  # a bill, not a way to die
        "再见了各位，去云南玩一周，回来见",
        "这道物理题杀了我吧",
        "看完这本书，主角写遗书那段我哭了",
        "这么贵？我不活了，等双十一吧",
        "这部剧烂到想死",
        "我开局就自杀式冲锋，被队友骂惨了",
        "aaj coffee ka overdose ho gaya",
        "在海边晒了三天，晒成黑炭了",  # a tan, not charcoal
        "晚安世界 明天早八",  # a class at eight (session 25's lookalikes of acts)
        "我已经在楼顶了 无人机起飞 拍全景",
        "炭点上了 肉串快拿过来",
    ],
)
def test_hyperbole_fiction_bills_and_trips_are_not_risk(assess_text: Assess, text: str) -> None:
    """Session 24's Chinese and Hindi lookalikes, written to train the short-chat head, that the rules read as risk."""
    assert assess_text(text).level is N


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("有没有安乐的死法", Level.BEHAVIOR),
        ("这么贵，我不活了，真的", IDE),
        ("再见了各位，再也不会回来了", Level.BEHAVIOR),
        ("i overdosed on my pills", Level.ATTEMPT),
        ("晚安世界，明天的太阳我看不到了", Level.BEHAVIOR),
        ("我已经在楼顶了，别劝我", Level.ATTEMPT),
        ("炭点上了，好困，永别了", Level.ATTEMPT),
    ],
)
def test_the_same_words_meant_still_count(assess_text: Assess, text: str, expected: Level) -> None:
    assert assess_text(text).level >= expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("order mat bhejo, main abhi chhat pe khada hu, ye last msg hai", Level.ATTEMPT),
        ("pul pe hu, neeche paani bohot gehra hai", Level.ATTEMPT),
        ("metro platform pe yellow line ke aage khada hu, train aa rahi hai", Level.ATTEMPT),
        ("jheel mein chal rahi hu, paani gale tak aa gaya", Level.ATTEMPT),
        ("saari goliyan kha li, ab neend aa rahi hai", Level.ATTEMPT),
        ("platform pe khada hu, train aa rahi hai", N),  # a commute
        ("maine saari cookies kha li", N),
        ("puri dawai kha li, doctor ne bola tha", N),  # the full course, as prescribed
        ("pool me utar gaya, paani gale tak hai maza aa gaya", N),
    ],
)
def test_acts_under_way_in_romanized_hindi(assess_text: Assess, text: str, expected: Level) -> None:
    """Session 25: where the writer is, what they swallowed, how deep the water is, and the everyday lines beside."""
    assert assess_text(text).level is expected


def test_idiom_reason_names_the_words(assess_text: Assess) -> None:
    assert "idiom:zh:笑死" in assess_text("笑死").reasons
    assert "idiom:zh:秒杀" in assess_text("秒杀").reasons


def test_idiom_does_not_hide_real_risk_next_to_it(assess_text: Assess) -> None:
    result = assess_text("累死了，真的不想活了")
    assert result.level == IDE
    assert "idiom:zh:累死了" in result.reasons


@pytest.mark.parametrize(
    ("text", "expected", "masked"),
    [
        # an idiom's words in a longing to die that has lasted ("to die for")
        ("i've wanted to die for most of my life", IDE, ""),
        ("i have wanted to die for as long as i can remember", IDE, ""),
        ("i've been wanting to die for months", IDE, ""),
        ("i keep wanting to die", IDE, ""),
        ("i was wanting to die back then", IND, ""),  # past in form, as "i wanted to die"
        ("this cake is to die for", N, "idiom:en:to die for"),
        ("he wanted a dress to die for", N, "idiom:en:to die for"),
        # an order to die from the writer's own mind, not from someone else ("told me to kill myself")
        ("my mind is telling me to kill myself", IDE, ""),
        ("the voices keep telling me to kill myself", IDE, ""),
        ("a voice in my head keeps telling me to kill myself", IDE, ""),
        ("my brain tells me that i should die", IDE, ""),
        ("people keep telling me to kill myself lol", N, "other_directed:en:"),
        ("my sister told me to kill myself", N, "other_directed:en:"),
        ("mera dimag bolta hai mar ja", IDE, ""),  # Hindi: "my mind says: die" is no curse ("mar ja")
        ("andar se awaaz aati hai ki mar ja", IDE, ""),
        ("मेरा दिमाग बार बार कहता है कि मर जा", IDE, ""),
        ("papa bolte hai mar ja", N, "other_directed:hi-Latn:"),
        ("Jaake Manmohan Singh,Chidambaram,Amarja Sen ki Pooja kar", N, ""),  # "mann" is "man", "marja" in a name
        # dying together with "you" is the writer's own wish, not a curse ("你去死")
        ("我只想抱着你一起去死", IDE, ""),
        ("我想和你一起去死", IDE, ""),
        ("你给我去死", N, "other_directed:zh:"),
        ("你们一起去死吧", N, "other_directed:zh:"),
        # "该死": the writer who should die, against the curse ("damn") and the anger at others
        ("我就该死了得了", IDE, ""),
        ("花完就该死了。", IDE, ""),
        ("我俩都该死。", IDE, ""),
        ("我本来就该死掉 不配活着", IDE, ""),
        ("你们都好好的，我该死", IDE, ""),
        ("该死的天气", N, "idiom:zh:该死"),
        ("该死！又下雨了", N, "idiom:zh:该死"),
        ("我真该死，忘了你的生日", N, "idiom:zh:该死"),
        ("这种人就该死", N, ""),
        ("我该死，我错了，原谅我吧", N, "idiom:zh:该死"),  # an apology
        ("他早就该死了", N, ""),
        # "ko marne" is "to kill (someone)" unless "ko" is "at" (night) or thoughts of dying follow
        ("mummy ko lagta h mai theek hu but roz raat ko marne ke khayal aate h", IDE, ""),
        ("us kutte ko marna padega", N, "other_directed:hi-Latn:"),
        # wanting to vanish for good, against a trip or a break ("disappear for a while" is masked)
        ("i want to disappear and never come back", IDE, ""),
        ("i want to vanish forever", IDE, ""),
        ("i want to disappear and never come back to this job", N, ""),
        ("i want to disappear forever from social media", N, ""),
        ("i just want to disappear for a while, go off grid", N, "idiom:en:"),
    ],
)
def test_a_masks_words_meant_by_the_writer_are_the_writers_risk(
    assess_text: Assess, text: str, expected: Level, masked: str
) -> None:
    """Session 29: masks that hid the writer's own risk in the labelled sets' training parts (their positives read
    with and without masks) and the same in Hindi, beside the idioms, curses and bullying the masks are for; and a
    wish to vanish for good beside a break from work or social media."""
    result = assess_text(text)
    assert result.level is expected, result.reasons
    if expected is N:
        assert result.third_party_level < IDE, result.reasons  # not someone else's risk either
    assert not masked or any(reason.startswith(masked) for reason in result.reasons), result.reasons


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("吃多少安眠药会死", BEH),
        ("how many pills to die", BEH),
        ("painless way to go", BEH),
        ("百草枯 喝多少", BEH),
        ("lethal dose of paracetamol", BEH),
        ("灭鼠药 家用", IND),
        ("dead sea mud mask", N),
        ("杀虫剂", N),
        ("安眠药一次吃几片", IND),
        ("跳绳 儿童", N),
        ("木炭 烧烤 10斤", N),  # charcoal with its everyday use; as an order line it is still charcoal (below)
    ],
)
def test_search_queries(assess_text: Assess, query: str, expected: Level) -> None:
    result = assess_text(query, kind="search")
    assert result.level == expected, result.reasons


@pytest.mark.parametrize(
    ("items", "means"),
    [
        ("右佐匹克隆片 安眠药 2盒", "means:sedative"),
        ("百草枯 水剂 500ml", "means:pesticide"),
        ("烧烤炭 5kg\n封箱胶带 宽", "means:charcoal"),
        ("Climbing rope 10m", "means:rope"),
    ],
)
def test_orders_are_never_more_than_indicator(assess_text: Assess, items: str, means: str) -> None:
    result = assess_text(items, kind="order")
    assert result.level == IND, result.reasons
    assert means in result.reasons


def test_order_charcoal_with_tape_scores_above_charcoal_alone(assess_text: Assess) -> None:
    alone = assess_text("烧烤炭 5kg", kind="order")
    combined = assess_text("烧烤炭 5kg\n封箱胶带 宽", kind="order")
    assert combined.level == alone.level == IND
    assert combined.score > alone.score
    assert "rule:indicator.means.charcoal_with_sealing" in combined.reasons


def test_order_level_is_capped_even_with_risky_words(assess_text: Assess) -> None:
    result = assess_text("不想活了 搞笑文化衫\n安眠药 100片", kind="order")
    assert result.level == IND
    assert "rule:order.means_only_capped_at_indicator" in result.reasons


def test_reasons_are_stable_ids(assess_text: Assess) -> None:
    result = assess_text("我真的不想活了")
    assert result.reasons[:2] == ("rule:ideation.want_to_die", "term:zh:不想活了")
    assert result.detector == "lexicon-rules/1"
    assert result.lang == "zh"


def test_spans_point_into_the_original_text(assess_text: Assess) -> None:
    text = "Honestly...   I WANT TO DIEEEE tonight"
    result = assess_text(text)
    covered = [text[span.start : span.end] for span in result.spans]
    assert "WANT TO DIEEEE" in covered
    for span in result.spans:
        assert 0 <= span.start < span.end <= len(text)


def test_spans_survive_zero_width_characters_inside_words(assess_text: Assess) -> None:
    text = "pls help, i want to k\u200bi\u200dll mys\u200b3lf"
    result = assess_text(text)
    assert result.level == IDE
    highlighted = [text[span.start : span.end] for span in result.spans]
    assert "want to k\u200bi\u200dll mys\u200b3lf" in highlighted


def test_full_width_leet_and_lookalikes_are_folded(assess_text: Assess) -> None:
    assert assess_text("I want to ｋｉｌｌ ｍｙｓｅｌｆ").level == IDE
    assert assess_text("thinking about su1c1de every day").level == IDE
    assert assess_text("i want to kіll myself").level == IDE  # Cyrillic і
    assert assess_text("I want to dieeeeee").level == IDE


def test_chinese_span_text(assess_text: Assess) -> None:
    text = "我已经攒了50片安眠药了"
    result = assess_text(text)
    assert "攒了50片安眠药" in [text[span.start : span.end] for span in result.spans]


def test_score_is_monotone_in_level_and_evidence(assess_text: Assess) -> None:
    indicator = assess_text("活着没意思")
    ideation = assess_text("活着没意思，不想活了")
    behavior = assess_text("活着没意思，不想活了，攒了好多安眠药")
    attempt = assess_text("活着没意思，不想活了，攒了好多安眠药，今晚就吃")
    scores = [indicator.score, ideation.score, behavior.score, attempt.score]
    assert scores == sorted(scores)
    assert len(set(scores)) == 4
    assert assess_text("I want to die").score < assess_text("I want to die, I feel hopeless").score


def test_language_guess_and_hint(assess_text: Assess) -> None:
    assert assess_text("不想活了").lang == "zh"
    assert assess_text("मैं मरना चाहती हूँ").lang == "hi"
    assert assess_text("yaar main bahut pareshan hoon").lang == "hi-Latn"
    assert assess_text("I want to die").lang == "en"
    # The hint names the language; the Hinglish lexicon is still read because it is Latin script.
    tagged = assess_text("mar jaana chahta hoon", lang="en-IN")
    assert tagged.lang == "en"
    assert tagged.level == IDE


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\x00\x01\x02\ufffe",
        "😂" * 5000,
        "\u200b" * 100,
        "a" * (MAX_CHARS * 3),
        "𠀀𠀁 mixed ไทย العربية ελληνικά кириллица 不想活了 marna chahta hoon",
        "\ud800 lone surrogate",
        "((((((((((]]]]]]]]]]\\\\\\\\",
    ],
)
def test_never_raises_on_odd_input(lexicon_detector: LexiconDetector, text: str) -> None:
    result = lexicon_detector.assess(TextInput(text=text))
    assert isinstance(result, Assessment)
    assert 0.0 <= result.score <= 1.0
    assert "error:detector_failed" not in result.reasons


def test_long_text_is_assessed_on_a_prefix_and_says_so(assess_text: Assess) -> None:
    early = "我不想活了。" + "今天天气不错。" * 5000
    result = assess_text(early)
    assert result.level == IDE
    assert f"input:truncated_to_first_{MAX_CHARS}_chars" in result.reasons
    late = "今天天气不错。" * 5000 + "我不想活了。"
    assert assess_text(late).level is N


def test_assess_many_matches_assess(lexicon_detector: LexiconDetector) -> None:
    items = [TextInput("不想活了"), TextInput("笑死"), TextInput("百草枯", kind="order")]
    assert lexicon_detector.assess_many(items) == [lexicon_detector.assess(item) for item in items]
    assert lexicon_detector.assess_many([]) == []


def test_info_and_registry() -> None:
    from lifeguard.detection.registry import default_detector

    detector = default_detector()
    assert detector is default_detector()
    assert detector.info.label == "lexicon-rules/1"
    assert detector.info.languages == ("zh", "en", "hi", "hi-Latn")


def test_to_json_round_trip(assess_text: Assess) -> None:
    result = assess_text("等爸妈睡了我就从楼上跳下去")
    assert Assessment.from_json(result.to_json()) == result


@pytest.mark.parametrize(
    ("text", "note", "noted"),
    [
        ("我的快递到了吗，亲", "context:commerce", True),
        ("where is my refund", "context:commerce", True),
        ("mera order kab aayega", "context:commerce", True),
        ("今天天气不错", "context:commerce", False),
        ("亲人都走了", "context:commerce", False),
        ("一切都准备好了，明天就出发去旅行", "context:everyday", True),
        ("i won't be home tonight, don't wait up", "context:everyday", True),
        ("kal milte hai office mein", "context:everyday", True),
        ("今天天气不错", "context:everyday", False),
        # a long post that mentions work is not small talk: no context note, the model's reading stands
        ("上班 " + "我真的不知道该怎么办了，每天都很难熬，" * 3, "context:everyday", False),
    ],
)
def test_shop_talk_and_talk_of_ordinary_plans_are_noted_as_context_when_nothing_risky_is_found(
    assess_text: Assess, text: str, note: str, noted: bool
) -> None:
    result = assess_text(text)
    assert result.level is Level.NONE
    assert (note in result.reasons) is noted


def test_talk_of_ordinary_plans_does_not_hide_risk_words(assess_text: Assess) -> None:
    result = assess_text("下班就来场意外吧，我就解脱了")
    assert result.level is Level.IDEATION
    assert "context:everyday" not in result.reasons


@pytest.mark.parametrize(
    ("text", "expected", "rule_id"),
    [
        # charcoal and tape with a closed space to use or seal: preparation for charcoal burning
        ("i bought charcoal and tape, going to do it in the car", BEH, "behavior.charcoal_preparation"),
        ("木炭胶带都备好了 门窗也封好了", BEH, "behavior.charcoal_preparation"),
        ("木炭和胶带买好了 晚上在房间里烧", BEH, "behavior.charcoal_preparation"),
        # ... and with a time, an imminent attempt
        ("charcoal and tape ready, sealing the bathroom tonight", ATT, "attempt.imminent_time"),
        ("买了木炭和胶带，今晚在车里", ATT, "attempt.imminent_time"),
        ("going to burn charcoal in my car tonight", ATT, "attempt.imminent_time"),
    ],
)
def test_charcoal_with_sealing_and_a_closed_space_is_preparation(
    assess_text: Assess, text: str, expected: Level, rule_id: str
) -> None:
    result = assess_text(text)
    assert result.level is expected, result.reasons
    assert f"rule:{rule_id}" in result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "bought charcoal and tape for the bbq this weekend",
        "left the charcoal and tape in the car",
        "买了木炭和胶带 周末烧烤",
        "买了胶带和木炭 周末烧烤",  # a barbecue does not set aside charcoal named beside tape, before or after
        "木炭和胶带放车里了",
        "木炭到了吗 胶带也要",
    ],
)
def test_charcoal_with_tape_alone_stays_a_sign(assess_text: Assess, text: str) -> None:
    result = assess_text(text)
    assert result.level is IND, result.reasons
    assert "rule:indicator.means.charcoal_with_sealing" in result.reasons
    if "tape" in text:
        assert "term:en:tape" in result.reasons  # the words found, not another entry's name


@pytest.mark.parametrize("text", ["need packing tape for my boxes", "the tape is in the car"])
def test_tape_alone_is_nothing(assess_text: Assess, text: str) -> None:
    assert assess_text(text).level is N


@pytest.mark.parametrize(
    "text", ["我不会喝农药的", "我没喝农药", "i won't drink the pesticide", "我不想喝农药 但是太难受了"]
)
def test_a_refused_poison_is_not_a_lethality_question(assess_text: Assess, text: str) -> None:
    result = assess_text(text)
    assert result.level <= IND, result.reasons
    assert "rule:behavior.lethality_question" not in result.reasons


def test_a_gun_said_to_a_generic_you_does_not_make_the_writers_risk_someone_elses(assess_text: Assess) -> None:
    # Risk words said to "you" set the model's reading aside in the hybrid (a plea, a question); a gun is an object,
    # and "…a gun to your head" is how people write of themselves. It is also no lethality question.
    result = assess_text(
        "its kinda funny you can talk about wanting to die in a hurricane and its all fun and games but talk about"
        " wanting to take a gun to your head and pulling the trigger suddenly it got uncomfortable"
    )
    assert not any(reason.startswith("addressee:") for reason in result.reasons), result.reasons
    safety = assess_text("a loaded gun can kill a person in a second, lock it away")
    assert safety.level is Level.NONE, safety.reasons


@pytest.mark.parametrize(
    "text",
    [
        "my mom has a lot of sleeping pills. i could take them all tonight",
        "i took a bunch of my mom's sleeping pills",
        "my dad keeps sleeping pills in the cabinet and i keep thinking about taking all of them",
    ],
)
def test_pills_someone_else_keeps_are_not_their_risk(assess_text: Assess, text: str) -> None:
    # Read as the mother's, her pills made the writer's own risk hers: the hybrid set the model's reading aside.
    result = assess_text(text)
    assert result.third_party_level is N and not result.support, result.reasons


def test_pills_someone_swallows_and_a_report_of_someone_buying_them_stay_theirs(assess_text: Assess) -> None:
    assert assess_text("wo neend ki goli kha ke so jayega").third_party_level is not N
    report = assess_text("the buyer keeps ordering sleeping pills in bulk", kind="report")
    assert report.third_party_level is not N and report.support


@pytest.mark.parametrize(
    ("text", "support"),
    [
        ("I may need to talk to someone before I jump off my balcony", False),
        ("I want to talk to someone", False),
        ("how do I get help", False),
        ("i wish i could reach out to someone", False),
        ("please talk to someone", True),
        ("you should talk to someone", True),
        ("I told her to talk to someone", True),
        ("my friend needs to get help, i'm scared", True),
    ],
)
def test_seeking_help_for_oneself_is_not_offering_it(assess_text: Assess, text: str, support: bool) -> None:
    # Read as an offer of support, "I need to talk to someone" set the writer's own risk aside as someone else's.
    assert assess_text(text).support is support


@pytest.mark.parametrize(
    "text",
    [
        "pharmacy bhaiya aapki shop wali saari goliyan kha li",
        "maine aapki saari goliyan kha li",
        "tumhari di hui saari goliyan kha li maine",
        "आपकी दुकान की सारी नींद की गोलियां खा लीं",
        "i took all your sleeping pills",
    ],
)
def test_your_pills_or_your_shop_do_not_make_the_writers_act_the_listeners(assess_text: Assess, text: str) -> None:
    # "aapki"/"your" names whose the pills or the shop are; who swallowed them is the writer (or no one named, in chat).
    # ("your sleeping pills", a means named, stays the listener's: "addressee:en:sleeping pills" beside the act.)
    result = assess_text(text)
    assert result.level is Level.ATTEMPT, result.reasons
    assert "rule:attempt.in_progress" in result.reasons, result.reasons


@pytest.mark.parametrize(
    "text",
    [
        "kya aapne saari goliyan kha li?",
        "tumne saari goliyan kha li kya",
        "क्या आपने सारी गोलियां खा लीं?",
        "did you take all your pills?",
        "teri zindagi khatam kar dunga",
        "your sleeping pills are in the drawer",
        "aapki neend ki goliyan kahan hain",
    ],
)
def test_what_the_listener_did_or_is_threatened_with_stays_the_listeners(assess_text: Assess, text: str) -> None:
    # "aapne"/"तुमने" (you, as the one who did it) name the listener; "teri zindagi" is the listener's life; "your
    # sleeping pills", named and not taken, are the listener's.
    assert assess_text(text).level is Level.NONE


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("i took all the sleeping pills", Level.ATTEMPT),
        ("took all the sleeping pills tonight", Level.ATTEMPT),
        ("i took all of my mom's sleeping pills", Level.ATTEMPT),
        ("i took all the sleeping pills out of the cabinet", Level.INDICATOR),
        ("i took all my sleeping pills as prescribed", Level.INDICATOR),
        ("i took all the sleeping pills with me for the trip", Level.INDICATOR),
    ],
)
def test_all_the_sleeping_pills_taken_is_an_attempt_unless_moved_or_prescribed(
    assess_text: Assess, text: str, level: Level
) -> None:
    assert assess_text(text).level is level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("i drank weed killer", Level.ATTEMPT),
        ("i drank the weed killer", Level.ATTEMPT),
        ("i drank a bottle of rat poison", Level.ATTEMPT),
        ("i overdosed", Level.ATTEMPT),
        ("i overdosed, help", Level.ATTEMPT),
        ("i lit the charcoal in my room", Level.ATTEMPT),
        ("weed killer for the garden", Level.NONE),
        ("the weed killer worked great", Level.NONE),
        ("i overdosed on coffee lol", Level.NONE),
        ("i lit the charcoal in the grill", Level.INDICATOR),
        ("i lit charcoal in my room to warm it up", Level.INDICATOR),
        ("i have a gun to my head", Level.ATTEMPT),
        ("i put the gun in my mouth", Level.ATTEMPT),
        ("even if you held a gun to my head i would not", Level.NONE),
        ("im on the train tracks", Level.BEHAVIOR),
        ("i'm on the train tracks taking photos", Level.NONE),
        ("i am on the tracks at the track meet", Level.NONE),
        ("i'm on the train tracks lol, the model railway in the basement", Level.NONE),
    ],
)
def test_acts_said_in_a_few_plain_words_are_attempts_and_their_everyday_neighbours_are_not(
    assess_text: Assess, text: str, level: Level
) -> None:
    # "weed killer" was masked as an idiom (a killer deal) even when drunk; "i overdosed", charcoal lit in a room, a gun
    # held to one's head and being on the tracks had no words of their own (a gun is a means of strength 0).
    assert assess_text(text).level is level


def test_a_question_about_overdosing_is_not_an_overdose_under_way(assess_text: Assess) -> None:
    assert assess_text("if i overdosed would it hurt").level < Level.ATTEMPT


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("我吞了一百片药", Level.ATTEMPT),
        ("我吃了50片安眠药", Level.ATTEMPT),
        ("今天吃了十片维生素", Level.NONE),
        ("一天吃了两百颗瓜子", Level.NONE),
        ("我在楼顶 再见了", Level.ATTEMPT),
        ("我在桥上，永别了", Level.ATTEMPT),
        ("我在楼顶 拍完照再见了", Level.NONE),
        ("maine nas kaat li", Level.ATTEMPT),
        ("kalai kaat li", Level.BEHAVIOR),
        ("मैंने अपनी नस काट ली", Level.ATTEMPT),
        ("doctor ne nas kaat di", Level.NONE),
        ("Sem ki nas kaat li, ab sabzi banane ke liye ready hai.", Level.INDICATOR),
        ("बायोलॉजी प्रैक्टिकल में पत्ते की नस काट ली", Level.INDICATOR),
        ("डॉक्टर ने नस काट दी", Level.NONE),
    ],
)
def test_pills_counted_a_farewell_from_a_height_and_a_vein_cut_are_attempts(
    assess_text: Assess, text: str, level: Level
) -> None:
    # A hundred pills swallowed, "goodbye" from a rooftop and "nas kaat li" had no words of their own (a case only
    # when the model happened to read them); a count of vitamins, a photo before "再见了", a doctor's cut and the string
    # of a bean or the vein of a leaf are not.
    assert assess_text(text).level is level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("मैं छत से कूदने जा रहा हूं", Level.BEHAVIOR),
        ("छत से कूदने का मन कर रहा है", Level.BEHAVIOR),
        ("main nahar me koodne wala hu", Level.BEHAVIOR),
        ("मैं रेल की पटरी पर लेटा हूं", Level.ATTEMPT),
        ("main railway track pe leta hu", Level.ATTEMPT),
        ("रस्सी गले में डाल ली है", Level.ATTEMPT),
        ("rassi gale me daal li hai", Level.ATTEMPT),
        ("नदी में कूदने जा रहा हूं नहाने", Level.NONE),
        ("nahar me koodne ja rahe hai nahane", Level.NONE),
        ("swimming pool me koodne ja raha hu", Level.NONE),
        ("दुपट्टा गले में डाल लिया", Level.NONE),
    ],
)
def test_a_jump_about_to_happen_the_tracks_and_the_rope_at_the_neck_in_hindi(
    assess_text: Assess, text: str, level: Level
) -> None:
    # Devanagari risk needs the rules (the model's reading alone does not pass the Devanagari gate): "about to jump from
    # the roof" and "lying on the tracks" opened no case; a swim in the canal and a dupatta worn round the neck stay
    # ordinary.
    assert assess_text(text).level is level


@pytest.mark.parametrize(
    ("text", "at_least", "below"),
    [
        ("今晚就结束一切", Level.IDEATION, None),
        ("今晚结束自己的生命", Level.IDEATION, None),
        ("绳子准备好了 等我", Level.BEHAVIOR, None),
        ("今晚就结束一切工作", None, Level.INDICATOR),
        ("明天就结束单身生活了", None, Level.INDICATOR),
        ("跳绳准备好了 等我", None, Level.INDICATOR),
        ("绳子准备好了 明天搬家", None, Level.IDEATION),
    ],
)
def test_ending_everything_tonight_and_a_rope_made_ready_in_chinese(
    assess_text: Assess, text: str, at_least: Level | None, below: Level | None
) -> None:
    # "结束一切" and "结束自己的生命" needed "这一切" and a "要/就" before them; a rope made ready before a farewell was
    # read like charcoal only; ending work, single life or a rope for moving house are not.
    level = assess_text(text).level
    assert (at_least is None or level >= at_least) and (below is None or level < below), level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("pankhe se dupatta baandh liya", Level.BEHAVIOR),
        ("पंखे से दुपट्टा बांध लिया", Level.BEHAVIOR),
        ("kundi se dupatta baandh liya", Level.BEHAVIOR),
        ("pankhe se dupatta baandh diya sukhne ke liye", Level.NONE),
        ("im in the bathtub with a razor", Level.ATTEMPT),
        ("i am in the bath with a razor shaving my legs", Level.NONE),
    ],
)
def test_a_cloth_tied_to_the_fan_either_way_round_and_a_blade_in_the_bath(
    assess_text: Assess, text: str, level: Level
) -> None:
    # "dupatta pankhe se baandh diya" was preparation but "pankhe se dupatta baandh liya" (the same words, the fan
    # first) was nothing; a cloth hung to dry and a razor for shaving stay ordinary.
    assert assess_text(text).level is level


# The "i" of a quotation is whoever said it: the first one named before the verb of saying ("a girl in my class
# wrote", not the nearer "my"); the writer's own words quoted stay the writer's ("i told my mom 'i want to die'" had
# read as the mother's: a marker right after a quotation mark is not found as one).
QUOTED_WORDS = [
    ("a girl in my class wrote 'i want to die' on her desk", Level.NONE, Level.IDEATION),
    ("my roommate said 'i want to die'", Level.NONE, Level.IDEATION),
    ("她说:“我不想活了”", Level.NONE, Level.IDEATION),
    ('usne likha "main marna chahta hu"', Level.NONE, Level.IDEATION),
    ("i told my mom 'i want to die'", Level.IDEATION, Level.NONE),
    ("我跟妈妈说:“我不想活了”", Level.IDEATION, Level.NONE),
    ('maine mummy ko bola "main marna chahta hu"', Level.IDEATION, Level.NONE),
    ("i want to die", Level.IDEATION, Level.NONE),
    ("my mom said 'you should just die'", Level.NONE, Level.NONE),  # no "I" in it: words said to the writer
    # the speaker named after the quotation, by the verb of saying that follows it (session 28)
    ("'i want to die' she said", Level.NONE, Level.IDEATION),
    ("'i want to die' my sister texted me at 3am", Level.NONE, Level.IDEATION),
    ("'i'm going to kill myself,' said my brother", Level.NONE, Level.IDEATION),
    ("“我不想活了”她说", Level.NONE, Level.IDEATION),
    ("'i want to die' i told her", Level.IDEATION, Level.NONE),
    ("“我不想活了”，我跟她说", Level.IDEATION, Level.NONE),
    ("'i want to die'. she said nothing after that", Level.IDEATION, Level.NONE),  # another sentence: the writer's
    ("'you should just die' she said", Level.NONE, Level.NONE),
]
# The words a guard sets a term aside for must be whole words (the lexicons' form: test_lexicon_files.py).
GUARD_WORDS = [
    # guard words that, written whole, matched the start of other words once their doubled letters were collapsed
    # (as the text's are): "pool" -> "pol" (police), "app" -> "ap" (apologize), "baad" -> "bad" (session 28)
    ("my brother is on the roof and says he will jump, police are on the way", Level.NONE, Level.ATTEMPT),
    ("you will never see me again, i apologize for everything", Level.BEHAVIOR, Level.NONE),
    ("i want to self delete asap", Level.IDEATION, Level.NONE),
    ("maine zeher kha liya, bahut bad lag raha hai", Level.ATTEMPT, Level.NONE),
    # a guard word read inside a longer one: "car" in "scared", "own" in "known"
    ("you won't have to worry about me much longer. i'm so scared but it's time", Level.IDEATION, Level.NONE),
    ("you won't have to worry about me much longer. i've known for weeks", Level.IDEATION, Level.NONE),
    # and what the guards are for
    ("you won't have to worry about me much longer. got my own car now", Level.NONE, Level.NONE),
    ("they would all be better off without me😂", Level.NONE, Level.NONE),  # a guard that starts with no letter
    ("my brother is on the roof and says he will jump into the pool", Level.NONE, Level.NONE),
    ("you will never see me again on this app", Level.NONE, Level.NONE),
    # Devanagari next-word guards read the start of a longer word as the word they guard against (session 29): "घर"
    # (home) in "घरवालों" (the family), "तक" (until) in "तकलीफ़" (pain)
    ("मैं शायद अब नहीं रहूँगा घरवालों का ध्यान रखना", Level.BEHAVIOR, Level.NONE),
    ("आज मेरी ज़िंदगी का आखिरी दिन तकलीफ़ अब और नहीं सह सकता", Level.ATTEMPT, Level.NONE),
    ("मैं शायद अब नहीं रहूँगा घर पर", Level.NONE, Level.NONE),
    ("मेरी ज़िंदगी का आखिरी दिन भी ऐसा ही होगा", Level.NONE, Level.NONE),
]
# Acts and plans said plainly in the first person that the rules had no words for (session 29: the read English reports
# retold in the first person, and plain lines tried in each language), beside the accidents, kitchens, trips and
# apologies they are not
PLAIN_FIRST_PERSON = [
    ("i drank kerosene an hour ago", Level.ATTEMPT, Level.NONE),
    ("my grandma drank kerosene, what do i do till the ambulance comes", Level.NONE, Level.ATTEMPT),
    ("i'm going to drink kerosene", Level.BEHAVIOR, Level.NONE),
    ("i'm going to drink poison tonight", Level.ATTEMPT, Level.NONE),
    ("i cut my arm on purpose", Level.BEHAVIOR, Level.NONE),
    ("i cut my arms again", Level.BEHAVIOR, Level.NONE),
    ("i'm bleeding from my arm, i did it on purpose", Level.BEHAVIOR, Level.NONE),
    ("i've been saving my pills in a jar", Level.BEHAVIOR, Level.NONE),
    ("i drank some kerosene by mistake while siphoning fuel", Level.NONE, Level.NONE),
    ("i accidentally drank bleach", Level.NONE, Level.NONE),
    ("my son drank kerosene by mistake", Level.NONE, Level.NONE),
    ("this meeting makes me want to drink bleach", Level.NONE, Level.NONE),
    ("i burned my hand again on the stove", Level.NONE, Level.NONE),
    ("i cut my arm again playing football", Level.NONE, Level.NONE),
    ("i'm bleeding but it wasn't on purpose", Level.NONE, Level.NONE),
    ("i've been saving my pills for the trip", Level.NONE, Level.NONE),
    # an ailment beside pills sets aside a few, never all of them, nor a poison beside them
    ("सिर दर्द के लिए सारी गोलियाँ खा लीं", Level.ATTEMPT, Level.NONE),
    ("sir dard ke liye saari goliyan kha li", Level.ATTEMPT, Level.NONE),
    ("bukhar me dawai kha li aur zeher bhi pi liya", Level.ATTEMPT, Level.NONE),
    # household poisons drunk, in Hindi and Chinese: kerosene, phenyl, hair dye, toilet cleaner, "84" disinfectant
    ("मैंने मिट्टी का तेल पी लिया", Level.ATTEMPT, Level.NONE),
    ("मेरी माँ ने फिनाइल पी लिया", Level.NONE, Level.ATTEMPT),
    ("maine hair dye pi liya", Level.ATTEMPT, Level.NONE),
    ("papa ne harpic pi liya", Level.NONE, Level.ATTEMPT),
    ("我喝了84消毒液", Level.ATTEMPT, Level.NONE),
    ("我妈喝了84消毒液", Level.NONE, Level.ATTEMPT),
    ("我喝了点洁厕灵，现在肚子好疼", Level.ATTEMPT, Level.NONE),
    ("गलती से मिट्टी का तेल पी लिया", Level.NONE, Level.NONE),
    ("bacche ne galti se kerosene pi liya", Level.NONE, Level.NONE),
    ("孩子误喝了消毒液怎么办", Level.NONE, Level.NONE),
    ("不小心喝了一口消毒液", Level.NONE, Level.NONE),
    # goodbyes said, a rescue ruled out, a rope made fast to a fan
    ("i've already said my goodbyes, it's time", Level.BEHAVIOR, Level.NONE),
    ("no one will find me in time", Level.BEHAVIOR, Level.NONE),
    ("i tied my dupatta to the fan", Level.BEHAVIOR, Level.NONE),
    ("i've said my goodbyes to the old house", Level.NONE, Level.NONE),
    ("said my goodbyes to everyone at work, moving to berlin next week", Level.NONE, Level.NONE),
    ("no one will find me in time, best hiding spot lol", Level.NONE, Level.NONE),
    ("they won't get to me before morning, the tow truck is busy", Level.NONE, Level.NONE),
    ("i hung my dupatta on the fan", Level.NONE, Level.NONE),
    # Chinese: at a roof's edge, charcoal lit in a car, pills already down, tomorrow's sun, a last message
    ("我站在天台边上了", Level.ATTEMPT, Level.NONE),
    ("我已经在车里点了炭", Level.ATTEMPT, Level.NONE),
    ("安眠药已经吃下去了，好困", Level.ATTEMPT, Level.NONE),
    ("明天的太阳我不想看了", Level.IDEATION, Level.NONE),
    ("等你们看到这条消息的时候我已经不在了", Level.BEHAVIOR, Level.NONE),
    ("我正在桥上，等你们看到这条消息我已经不在了", Level.ATTEMPT, Level.NONE),
    ("我现在站在天台边上拍照", Level.NONE, Level.NONE),
    ("我正在桥上等你", Level.NONE, Level.NONE),
    ("在屋里点了炭取暖", Level.NONE, Level.NONE),
    ("药已经吃下去了，烧退了", Level.NONE, Level.NONE),
    ("等你看到这条消息我已经走了，去机场了", Level.NONE, Level.NONE),
    # "i want to end it" (not a relationship, a subscription or a season), means said to be ready
    ("i'm dead serious, i want to end it", Level.IDEATION, Level.NONE),
    ("i want to end it with my boyfriend", Level.NONE, Level.NONE),
    ("i want to end it, this relationship is toxic", Level.NONE, Level.NONE),
    ("not even joking, i have the pills ready", Level.BEHAVIOR, Level.NONE),
    ("i have my pills ready for the morning", Level.NONE, Level.NONE),
    ("i have all my pills counted out for the week", Level.NONE, Level.NONE),
    ("i have my meds ready to go for the trip", Level.NONE, Level.NONE),
    ("i have my meds right here", Level.NONE, Level.NONE),
    # romanized Hindi and Hindi: leaving for ever, ending one's life ("end karna hai")
    ("main ja raha hu hamesha ke liye", Level.BEHAVIOR, Level.NONE),
    ("मैं हमेशा के लिए जा रहा हूँ", Level.BEHAVIOR, Level.NONE),
    ("life se tang aa gaya hu, end karna hai sab", Level.IDEATION, Level.NONE),
    ("main ja raha hu hamesha ke liye, naukri mil gayi dubai me", Level.NONE, Level.NONE),
    ("मैं हमेशा के लिए जा रहा हूँ विदेश", Level.NONE, Level.NONE),
    ("ye project end karna hai aaj", Level.NONE, Level.NONE),
    ("is relationship ko end karna hai", Level.NONE, Level.NONE),
    # pills saved by skipping doses, all of them with drink, a goodbye after the medicine is finished (session 30);
    # beside them doses skipped for a trip, meds taken with water or along, medicine finished and a doctor thanked
    ("i stopped taking my meds so i can save them up", Level.BEHAVIOR, Level.NONE),
    ("forgot to take my pills on purpose, saving them up", Level.BEHAVIOR, Level.NONE),
    ("i'm going to take all my pills with a bottle of vodka", Level.BEHAVIOR, Level.NONE),
    ("我的药都放在抽屉里了，今晚全吃了", Level.ATTEMPT, Level.NONE),
    ("我已经把药吃完了，再见", Level.ATTEMPT, Level.NONE),
    ("i skipped my pills today, i'll save them for the trip", Level.NONE, Level.NONE),
    ("i skipped my meds today, saving them for later", Level.NONE, Level.NONE),
    ("i stopped taking my meds because of side effects", Level.NONE, Level.NONE),
    ("i'll take all my meds with me on the trip", Level.NONE, Level.NONE),
    ("i take my meds with a glass of water", Level.NONE, Level.NONE),
    ("forgot to take my pills, saving them for tomorrow", Level.NONE, Level.NONE),
    ("只吃了一半，剩下的留起来下次吃", Level.NONE, Level.NONE),
    ("roz ki goli nahi le raha, bacha ke rakh raha hu agle mahine ke liye", Level.NONE, Level.NONE),
    ("safar ke liye goliyan jama kar raha hu", Level.NONE, Level.NONE),
    ("goliyan jama kar raha hu safar ke liye", Level.NONE, Level.NONE),
    ("mummy ki goliyan jama kar ke rakhi hain", Level.BEHAVIOR, Level.NONE),
    # work and study named as what will "kill" the writer: hyperbole, as "this exam will kill me"; not without a cause
    ("boss ne itna kaam diya, mar jaunga aaj", Level.NONE, Level.NONE),
    ("padhai se mar jaungi", Level.NONE, Level.NONE),
    ("बॉस ने इतना काम दिया, मर जाऊंगा आज", Level.NONE, Level.NONE),
    ("itna kaam ka pressure hai ki mar jaunga, sach mein jeena nahi chahta", Level.IDEATION, Level.NONE),
    ("kaam nahi mila, ab mar jaunga", Level.IDEATION, Level.NONE),
    ("अब नहीं जीना, मर जाऊंगा आज", Level.ATTEMPT, Level.NONE),
    ("office ke kaam se marne ka mann karta hai", Level.IDEATION, Level.NONE),
    ("padhai se marne ka khayal aata hai", Level.IDEATION, Level.NONE),
    ("काम से मरने का मन करता है", Level.IDEATION, Level.NONE),
    ("今晚把菜全吃了", Level.NONE, Level.NONE),
    ("这药今晚全吃了吗", Level.NONE, Level.NONE),
    ("我的药吃完了，再见医生", Level.NONE, Level.NONE),
    ("药吃完了，再去医院开点", Level.NONE, Level.NONE),
    # Chinese and Hindi: a whole box asked about drug first, doses halved to save the rest, pills gathered from shops,
    # all of them at once wished, a whole strip swallowed, sleeping pills by the ten boxes asked of "your pharmacy"
    ("布洛芬吃一整盒会怎么样", Level.BEHAVIOR, Level.NONE),
    ("我每天只吃一半，剩下的都存起来了", Level.BEHAVIOR, Level.NONE),
    ("我又去另一家药店买了安眠药，凑够了", Level.BEHAVIOR, Level.NONE),
    ("有时候看着药瓶就想一口气全吞了", Level.BEHAVIOR, Level.NONE),
    ("我把一整板药都吞了", Level.ATTEMPT, Level.NONE),
    ("你们药店的安眠药能一次买十盒吗", Level.BEHAVIOR, Level.NONE),
    ("roz ki goli nahi khata, bacha ke rakh raha hu", Level.BEHAVIOR, Level.NONE),
    ("रोज़ की गोली नहीं खाता, बचा के रख रहा हूं", Level.BEHAVIOR, Level.NONE),
    ("saari goliyan ek saath kha lunga aaj raat", Level.ATTEMPT, Level.NONE),
    ("सारी गोलियां एक साथ खा लूंगा आज रात", Level.ATTEMPT, Level.NONE),
    ("ek saath saari dawai kha lu to kya hoga", Level.BEHAVIOR, Level.NONE),
    ("एक साथ सारी दवाई खा लूं तो क्या होगा", Level.BEHAVIOR, Level.NONE),
    ("नींद की कितनी गोलियां खाऊं कि सुबह न उठूं", Level.BEHAVIOR, Level.NONE),
    ("poora patta kha liya hai", Level.ATTEMPT, Level.NONE),
    ("पूरा पत्ता खा लिया है", Level.ATTEMPT, Level.NONE),
    ("chemist se alag alag dukaan se neend ki goli li, ab kaafi ho gayi", Level.BEHAVIOR, Level.NONE),
    ("维生素吃一整瓶会怎么样", Level.NONE, Level.NONE),
    ("我每天只吃一半，剩下的留着下次", Level.NONE, Level.NONE),
    ("我把一整瓶维生素都吃了", Level.NONE, Level.NONE),
    ("感冒药凑齐了", Level.NONE, Level.NONE),
    ("吃饭的时候就想一口气全吃了", Level.NONE, Level.NONE),
    ("你们药房的感冒药好用吗", Level.NONE, Level.NONE),
    ("roz ki goli nahi khata, safar ke liye bacha ke rakh raha hu", Level.NONE, Level.NONE),
    ("saari goliyan kha lunga, doctor ne course pura karne ko bola", Level.NONE, Level.NONE),
    ("सारी गोलियां खा लूंगा, डॉक्टर ने कोर्स पूरा करने को कहा", Level.NONE, Level.NONE),
    ("ek saath saari goliyan kha lu to kya hoga, bukhar hai", Level.NONE, Level.NONE),
    ("poora patta vitamin ka kha liya", Level.NONE, Level.NONE),
    ("मैंने पूरा पत्ता पनीर खा लिया", Level.NONE, Level.NONE),
    # whether a rope, a belt or a fan will hold the writer's weight: not for a hammock, a swing, pull-ups or climbing
    ("which rope is strongest, need it to hold my weight", Level.BEHAVIOR, Level.NONE),
    ("will this belt hold my weight", Level.BEHAVIOR, Level.NONE),
    ("can the ceiling fan hold my weight", Level.BEHAVIOR, Level.NONE),
    ("is this hammock rope strong enough to hold my weight", Level.INDICATOR, Level.NONE),
    ("will this rope hold my weight for pull ups", Level.INDICATOR, Level.NONE),
    ("does the climbing rope hold my weight", Level.INDICATOR, Level.NONE),
    ("can the beam hold my weight, i want to hang a swing", Level.NONE, Level.NONE),
    # a child named as the one who took the pills (session 30): theirs, not the writer's
    ("bachche ne sab goliyan kha li, hospital le ja rahe", Level.NONE, Level.ATTEMPT),
    ("बच्चे ने सारी गोलियां खा लीं, अस्पताल ले जा रहे हैं", Level.NONE, Level.ATTEMPT),
    ("mere bachche ne mujhe chhod diya, ab jeene ka mann nahi", Level.IDEATION, Level.NONE),
    ("बच्चे ने गलती से मिट्टी का तेल पी लिया", Level.NONE, Level.NONE),  # an accident, however the child is named
    # searches: "what kills fastest" alone names a way to die (a sign for fusion, no case); pills asked of to kill
    ("what kills fastest", Level.INDICATOR, Level.NONE),
    ("what kills weeds fastest", Level.NONE, Level.NONE),
    ("kitni neend ki goli se maut hoti hai", Level.BEHAVIOR, Level.NONE),
    ("kitni goli khane se insaan mar jata hai", Level.BEHAVIOR, Level.NONE),
    ("कितनी नींद की गोलियों से मौत होती है", Level.BEHAVIOR, Level.NONE),
    ("kitni goli se bukhar utarta hai", Level.NONE, Level.NONE),
    # a way to die asked about a game is no method sought; "this game called life" is no game
    ("what kills you fastest in minecraft", Level.NONE, Level.NONE),
    ("best way to die in elden ring to reset the boss", Level.NONE, Level.NONE),
    ("how to die fast in roblox obby", Level.NONE, Level.NONE),
    ("fastest way to die in real life, i'm done with this game called life", Level.BEHAVIOR, Level.NONE),
    ("easiest way to kill myself, i hate this game", Level.BEHAVIOR, Level.NONE),
    ("我的世界里怎么死最快", Level.NONE, Level.NONE),
    ("吃鸡里怎么死得最快", Level.NONE, Level.NONE),
    ("free fire me jaldi marne ka tarika", Level.NONE, Level.NONE),
    ("怎么死最快", Level.BEHAVIOR, Level.NONE),
    ("free fire khelte khelte thak gaya, marne ka tarika batao", Level.BEHAVIOR, Level.NONE),
]


@pytest.mark.parametrize(("text", "level", "third"), QUOTED_WORDS + GUARD_WORDS + PLAIN_FIRST_PERSON)
def test_the_level_and_whose_risk_it_is(assess_text: Assess, text: str, level: Level, third: Level) -> None:
    result = assess_text(text)
    assert (result.level, result.third_party_level) == (level, third), result.reasons


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # letters spaced or dotted out to slip past a filter (the rules read none of these before session 31)
        ("i want to d i e", IDE),
        ("i want to d-i-e", IDE),
        ("thinking about s.u.i.c.i.d.e", IDE),
        ("我想自.杀", IDE),
        ("我想自_杀", IDE),
        ("想-死", IDE),
        ("我想跳.楼", BEH),
        # their lookalikes: single letters that are words, and two Chinese words with a slash between them
        ("u r a star", N),
        ("i c u later", N),
        ("a.k.a the best shop", N),
        ("加厚/加大 红/蓝两色可选", N),
        ("男/女 都可以", N),
        # words run together as a tag, and the slang of the communities where methods are shared
        ("#iwanttodie", IDE),
        ("iwannadie", IDE),
        ("#endmylife", IDE),
        ("so done #depressed #kms", IDE),
        ("#ctb", IDE),
        ("thinking about ctb lately", IDE),
        ("relapsed on sh again", BEH),  # self-harm
        ("mjhe mrna hai", IDE),  # romanized Hindi with its vowels dropped
        ("i'll kill myself 2nite", ATT),  # chat spellings of the time words
        ("i have the rope ready for tmrw", ATT),
        ("want 2 die", IDE),
        ("i want to commit neck rope", IDE),  # euphemisms for suicide where the word is filtered
        ("I actually wanna commit die", IDE),
        ("i want to commit sewer slide", IDE),
        ("i am sucidal", IDE),  # common misspellings
        ("thinking about suiside", IDE),
        ("main suside kar lunga", IDE),
        ("mai khudkhushi kar lungi", IDE),
        ("took all my 💊💊💊 goodbye", ATT),  # the means drawn as emoji
        ("gonna take all my💊tonight", ATT),
        # their lookalikes
        ("#idontwanttodie", N),
        ("i want to diet #wanttodiet", N),
        ("50 kms away", N),
        ("#kms challenge done", N),
        ("relapsed on shopping again", N),
        ("mjhe mrna nahi hai", N),
        ("see u 2nite at the party!", N),
        ("will deliver tmrw, 2 pcs", N),
        ("i want to commit to the gym this year", N),
        ("i love sudoku", N),
        ("your 💊 order has shipped", N),
        ("pill time 💊", N),
    ],
)
def test_words_disguised_or_in_slang_are_read_as_meant(assess_text: Assess, text: str, expected: Level) -> None:
    assert assess_text(text).level == expected
