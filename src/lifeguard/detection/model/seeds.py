"""Short labelled phrases written for Lifeguard, mainly for Hindi and Hinglish, which have no public data.

These are *seed* examples, not an evaluation set: they teach the hashed model the vocabulary of risk in
Devanagari Hindi and romanized Hindi (and short chat-style English and Chinese, because every public
positive is a long forum post), together with hard negatives (idioms, negation, talk about others). They
are deliberately few; nothing measured on them says anything about real Hindi traffic (see docs/model.md).
Licence: the project's own (Apache-2.0).
"""

from __future__ import annotations

from lifeguard.detection.levels import Level

SEED_DATASET = "lifeguard-seed-phrases"
SEED_LICENCE = "Apache-2.0 (written for Lifeguard)"

SEEDS: dict[str, dict[Level, tuple[str, ...]]] = {
    "hi": {
        Level.NONE: (
            "हंसते हंसते मर गया", "गर्मी से मर गए आज", "भूख से मर रहा हूँ खाना कब आएगा", "ये फिल्म देख के मज़ा आ गया",
            "मैं मरना नहीं चाहता", "मुझे जीना है", "मेरा ऑर्डर कब आएगा", "बोर होकर मर गया यार",
            "इस गाने पे मर मिटे", "कल मैच है", "मच्छर मारने की दवा चाहिए", "चूहे मारने का जाल भेज दो",
        ),
        Level.INDICATOR: (
            "मैं बहुत अकेला हूँ", "कुछ भी अच्छा नहीं लगता", "मैं थक गया हूँ सब से", "मेरी ज़िंदगी बेकार है",
            "कोई मुझे समझता नहीं", "मैं किसी काम का नहीं हूँ", "सब खत्म सा लगता है", "मैं बोझ हूँ सब पर",
            "अंदर से टूट गया हूँ", "कोई उम्मीद नहीं बची",
        ),
        Level.IDEATION: (
            "मैं मरना चाहता हूँ", "मैं मरना चाहती हूँ", "अब जीने का मन नहीं करता", "मुझे जीना नहीं है",
            "काश मैं मर जाऊं", "आत्महत्या करने का मन करता है", "मैं खुदकुशी करना चाहता हूँ",
            "सब खत्म कर देना चाहता हूँ", "इस दुनिया से चले जाना चाहता हूँ", "मैं अपनी जान लेना चाहता हूँ",
            "जीने की कोई वजह नहीं", "मर जाना ही बेहतर है",
        ),
        Level.BEHAVIOR: (
            "मैंने नींद की गोलियां जमा कर ली हैं", "फांसी का फंदा तैयार है", "मैं छत से कूदने वाला हूँ",
            "कितनी गोलियां खाने से मौत होती है", "मैंने सुसाइड नोट लिख दिया है", "मैं अपने हाथ काटता हूँ",
            "ज़हर खरीद लिया है", "पंखे से लटकने की सोच रहा हूँ", "ब्लेड से खुद को काटा",
        ),
        Level.ATTEMPT: (
            "आज रात मैं खुद को मार दूंगा", "मैंने गोलियां खा ली हैं", "अलविदा आज सब खत्म", "मैंने ज़हर पी लिया है",
            "पिछले साल मैंने आत्महत्या की कोशिश की थी", "अभी पुल पर खड़ा हूँ कूदने वाला हूँ",
        ),
    },
    "hi-Latn": {
        Level.NONE: (
            "hanste hanste mar gaya yaar", "garmi se mar gaye aaj", "bhook se mar raha hu khana kab aayega",
            "match dekh ke maza aa gaya", "main marna nahi chahta", "mujhe jeena hai", "mera order kab aayega",
            "bore hoke mar gaya bhai", "is gaane pe mar mite", "kal match hai", "machhar marne ki dawai chahiye",
            "battery mar gayi phone ki", "usne mujhe maar dala hasa hasa ke", "tu toh gaya aaj",
        ),
        Level.INDICATOR: (
            "main bahut akela hoon", "kuch bhi accha nahi lagta", "main thak gaya hu sab se",
            "meri zindagi bekar hai", "koi mujhe samajhta nahi", "main kisi kaam ka nahi hu",
            "sab khatam sa lagta hai", "main sab pe bojh hu", "andar se toot gaya hu", "koi umeed nahi bachi",
        ),
        Level.IDEATION: (
            "main marna chahta hoon", "main marna chahti hu", "ab jeene ka mann nahi karta", "mujhe nahi jeena",
            "kaash main mar jaun", "suicide karne ka mann karta hai", "khudkushi karna chahta hu",
            "sab khatam kar dena chahta hu", "is duniya se chale jana chahta hu", "apni jaan lena chahta hu",
            "jeene ki koi wajah nahi", "mar jana hi behtar hai", "aatmahatya ke khayal aate hain",
        ),
        Level.BEHAVIOR: (
            "neend ki goliyan jama kar li hain", "phanda tayyar hai", "chhat se koodne wala hu",
            "kitni goliyan khane se maut hoti hai", "suicide note likh diya hai", "main apne haath kaatta hu",
            "zeher khareed liya hai", "pankhe se latakne ki soch raha hu", "blade se khud ko kaata",
        ),
        Level.ATTEMPT: (
            "aaj raat main khud ko maar dunga", "maine goliyan kha li hain", "alvida aaj sab khatam",
            "maine zeher pee liya hai", "pichle saal maine suicide ki koshish ki thi",
            "abhi pul pe khada hu koodne wala hu",
        ),
    },
    "en": {
        Level.NONE: (
            "this traffic is killing me", "i'm dying to see the new movie", "lol i'm dead", "dead tired after work",
            "that joke killed me", "my phone battery died", "i don't want to die", "i would never kill myself",
            "where is my order", "kill the process and restart it", "to die for chocolate cake",
        ),
        Level.INDICATOR: (
            "i feel so alone", "nothing matters anymore", "i'm so tired of everything", "i feel worthless",
            "i'm a burden to everyone", "i can't do this anymore", "no one cares about me", "i feel empty inside",
        ),
        Level.IDEATION: (
            "i want to die", "i wish i was dead", "i don't want to live anymore", "i want to kill myself",
            "i'm thinking about suicide", "everyone would be better off without me", "i want to end it all",
            "i don't want to wake up tomorrow", "i want to disappear forever", "i have suicidal thoughts",
        ),
        Level.BEHAVIOR: (
            "i've been saving up pills", "i bought a rope", "how many pills does it take to die",
            "i wrote my suicide note", "i cut myself again tonight", "i'm giving away my things",
            "what is the most painless way to die", "i've been researching how to overdose",
        ),
        Level.ATTEMPT: (
            "i took all the pills", "tonight i'm going to kill myself", "this is goodbye forever",
            "i'm standing on the bridge now", "i tried to kill myself last year", "i just swallowed the whole bottle",
        ),
    },
    "zh": {
        Level.NONE: (
            "笑死我了", "累死了今天", "饿死了外卖怎么还没到", "热死了", "我不想死", "气死我了这个快递",
            "杀鱼刀好用", "这个价格要命", "死贵死贵的", "好吃到哭",
        ),
        Level.INDICATOR: (
            "好累啊活着", "感觉没有未来", "我真的好绝望", "没有人在乎我", "我是个废物", "活着好痛苦",
        ),
        Level.IDEATION: (
            "我想死", "不想活了", "好想死啊", "活着没意思想去死", "想自杀", "我想结束自己的生命", "想从这个世界消失",
        ),
        Level.BEHAVIOR: (
            "安眠药攒够了", "已经写好遗书了", "想跳楼 在找高楼", "吃多少片安眠药会死", "烧炭需要准备什么", "又割腕了",
        ),
        Level.ATTEMPT: (
            "今晚就跳下去", "药已经吃下去了", "再见了这个世界 今天就走", "我已经站在楼顶了", "上次自杀没成功",
        ),
    },
}  # fmt: skip
