"""The phrases that make a message unsafe to send to a person at risk, per rule and script.

Written from the WHO media guidance ("Preventing suicide: a resource for media professionals", 2023), the
Samaritans and #chatsafe guidelines and the safe-messaging advice of China's and India's crisis centres:
never describe a method, a dose, a height or a product; never call a suicide "successful" or "committed" (it was a
crime once); never blame or shame; never sensationalise; never promise a secrecy that would stop help.

Patterns are regular expressions over the text as ``lifeguard.detection.normalize`` folds it (lower case,
full-width and look-alike letters folded, repeated Latin letters collapsed), so write natural spellings.
Latin patterns are matched on word edges; Han patterns anywhere; Devanagari on Devanagari word edges. Every Latin
pattern applies to English and Hinglish alike: people mix them in one message.

The detector's own lexicons and the product catalogue add the method and means names (see ``safe_messaging``);
this file holds what they do not: doses, heights, ligature words, "you"-forms of methods, and the non-method rules.
"""

from __future__ import annotations

# code -> script -> patterns
RULES: dict[str, dict[str, tuple[str, ...]]] = {
    "method_detail": {
        "latin": (
            r"\d+ ?(mg|milligrams?|grams?|ml|millilit(er|re)s?|pills?|tablets?|capsules?|doses?|strips?)",
            r"(lethal|fatal|deadly|toxic|overdose) (dose|amount|quantity|level)s?",
            r"\d+(st|nd|rd|th)? ?(floors?|stor(e)?ys?|stories)",
            r"\d+ ?(met(er|re)s?|feet|ft)( high| tall| up| down| drop)?",
            r"(high|tall) enough|how high",
            r"noose|ligatures?|hanging(?! (in|on|out|around|with|up|there))",
            r"hang(ed|s)? (yourself|himself|herself|themselves)",
            r"(cut|cutting|slit|slitting|slash|slashing) (your|his|her|their|the) (wrists?|throat|veins?)",
            r"(jump|jumping|jumped) (off|from|in front of)",
            r"carbon monoxide|car exhaust|exit bag",
            r"(\d+|kitni|kitne) (goliyan|goliya|goli)",
            r"fanda|phanda|phansi|phaansi|fansi|faansi|nas (kaat|kat)",
            r"(chhat|chat|pul|bridge|building) (se|par se) (kood|kud)",
        ),
        "han": (
            r"\d+ ?(片|粒|毫克|mg|克|毫升|ml)",
            r"[两几十百]+(片|粒)",
            r"\d+ ?(楼|层|米)|[二三四五六七八九十几]+(楼|层楼)|多少(层|楼)|多高",
            r"致死(剂)?量",
            r"上吊|绳套|吊绳|勒死|烧炭|一氧化碳|煤气|跳楼|跳河|跳江|跳桥|卧轨|割腕|割脉|服毒|喝农药",
        ),
        "devanagari": (
            r"\d+ ?(गोलियां|गोलियाँ|गोली|टैबलेट|मिलीग्राम)",
            r"(कितनी|कितने) (गोलियां|गोलियाँ|गोली)",
            r"फंदा|फांसी|फाँसी|नस काट",
            r"(छत|पुल|इमारत) से कूद",
        ),
    },
    "suicide_framing": {
        "latin": (
            r"(commit|commits|committed|committing) suicide|suicide (commit|committed)",
            r"(successful|unsuccessful|failed|completed) (suicide|suicide attempt|attempt)",
            r"suicide (was |is )?(a )?(success|successful|failure)",
            r"succeeded in (killing|taking)",
            r"(safal|kamyab|kaamyaab|asafal|nakam|nakaam) (suicide|aatmhatya|atmahatya|aatmahatya|khudkushi)",
            r"(suicide|aatmhatya|atmahatya|aatmahatya|khudkushi) (mein |me |main )?"
            r"(safal|kamyab|kaamyaab|nakam|nakaam|asafal)",
        ),
        "han": (r"自杀(成功|失败|得逞)|成功(地)?自杀|轻生成功",),
        "devanagari": (
            r"(सफल|असफल|कामयाब|नाकाम) (आत्महत्या|खुदकुशी|ख़ुदकुशी)",
            r"(आत्महत्या|खुदकुशी|ख़ुदकुशी) (में |मे )?(सफल|असफल|कामयाब|नाकाम)",
        ),
    },
    "blame": {
        "latin": (
            r"selfish|cowards?|cowardly|attention[- ]?seek(ing|er|ers)|drama queen|shame on you|ungrateful",
            r"(you'?re|you are|ur|so|how|that'?s|it'?s|being) (weak|pathetic|stupid|dumb|crazy|insane)",
            r"get over it|snap out of it|man up|toughen up|overreacting|(stop|quit) (being )?(so )?dramatic",
            r"psycho|lunatic|nutcase|nutjob",
            r"swarthi|swaarthi|kayar|kaayar|buzdil|bujdil|sharam (karo|kar|aani chahiye|nahi aati)|paap",
            r"(drama|natak|naatak) (mat |band )?(karo|kar)|pagal|kamzor (ho|hai)",
        ),
        "han": (
            r"想不开|丢人|丢脸|自私|懦弱|懦夫|胆小鬼|矫情|作死|没出息|玻璃心|神经病|钻牛角尖|不负责任",
            r"小题大做|想太多|想多了|至于吗|不孝|傻事",
        ),
        "devanagari": (
            r"स्वार्थी|कायर|कायरता|बुज़दिल|बुजदिल|शर्मनाक|शर्म (करो|कीजिए|आनी चाहिए)|पाप|पागल",
            r"(ड्रामा|नाटक) (मत |बंद )?(करो|कर)|(कमज़ोर|कमजोर) (हो|है|हैं)",
        ),
    },
    "sensational": {
        "latin": (
            r"epidemic|skyrocket(s|ed|ing)?|soar(s|ed|ing)|surg(e|es|ed|ing)|alarming|shocking|spate",
            r"wave of suicides|suicide (wave|craze|contagion|trend)s?",
            r"mahamari|mahaamari|(aasman|asman|aasmaan) (chhu|chu|chhoo)|(tezi|teji) se badh",
        ),
        "han": (r"激增|飙升|泛滥|井喷|自杀潮|疯传|触目惊心|暴增|愈演愈烈",),
        "devanagari": (r"महामारी|आसमान (छू|छूती|छूने)|(तेज़ी|तेजी) से बढ़|चौंकाने",),
    },
    "secrecy": {
        "latin": (
            r"(i|we)( will| promise| swear)? (won'?t|will not|will never|never|not to|promise not to) tell "
            r"(anyone|anybody|a soul|no ?one|your (parents|family|mom|mum|dad|teacher))",
            r"(this|it) (stays|will stay|is|remains|can stay) (just |only )?between (us|you and me)",
            r"(our|a) (little )?secret|keep (this|it|that) (a )?secret",
            r"(no ?one|nobody) (will|needs to|has to|is going to) (ever )?(know|find out)",
            r"kisi ko (nahi|nhi|nahin|na) (bataunga|bataungi|batayenge|bataenge|btaunga|btaungi|bolunga|bolungi)",
            r"(hamare|humare|hum dono ke) (beech|bich) (hi )?(rahega|rahegi|rahenge)",
            r"(raaz|raz) (rakh|rakhunga|rakhungi|rakhenge)|kisi ko pata (nahi|nhi|nahin) (chalega|lagega)",
        ),
        "han": (
            r"(不会|绝不|不|不会把这件事|不会把这些)(告诉|透露给)(任何人|别人|其他人|你(的)?(爸妈|父母|家人|家里人|老师))",
            r"(不会|绝不|不)(跟|和|对)(任何人|别人|其他人)(说|讲|提)",
            r"(替|帮|为)你保密|我(会|一定|保证)?(保密|守口如瓶)|(我们|咱们)之间的(小)?秘密",
            r"(只有|就)(我们|咱们)(俩|两个)?知道|(谁|没人|没有人)(都|也)?不会知道",
        ),
        "devanagari": (
            r"किसी को (नहीं|नही|ना) (बताऊंगा|बताऊँगा|बताऊंगी|बताऊँगी|बताएंगे|बताएँगे)",
            r"(हमारे|हम दोनों के) बीच (ही )?(रहेगा|रहेगी|रहेंगी|रहेंगे)",
            r"(राज़|राज) (रख|रखूंगा|रखूँगा|रखूंगी|रखूँगी)|किसी को पता (नहीं|नही) (चलेगा|लगेगा)",
        ),
    },
}

# An explicit offer to connect the person with help: counts as "a way to get help" when no hotline is named.
OFFER_TO_CONNECT: dict[str, tuple[str, ...]] = {
    "latin": (
        r"(connect|put) you (in touch )?with",
        r"(find|get) you (some )?(help|support|someone to talk to)",
        r"(call|contact|reach) (someone|emergency services|a counsellor|a counselor|a doctor|help) for you",
        r"(aapko|apko|tumhe|tumko|aap ko)( [a-z]+){0,5} (se )?(jod|jodh|milwa|milva|baat karwa|baat karva)",
    ),
    "han": (
        r"(帮|为|替)你(联系|找|接通|转接)",
        r"(我|我们)(可以|来|能|会)?(帮你)?(联系|找|转接)(专业的?)?(心理)?(咨询师|医生|老师|援助热线|心理热线|专业人士|专业人员|热线)",
        r"陪你(一起)?(打|拨打)",
    ),
    "devanagari": (r"(आपको|तुम्हें|तुमको|आप को)( \S+){0,5} (से )?(जोड़|जोड़|मिलवा|बात करवा)",),
}

# What to say instead, per rule and language; shown to the agent with the violation.
SUGGESTIONS: dict[str, dict[str, str]] = {
    "method_detail": {
        "en": "leave out methods, means, doses, heights and products; speak of 'your safety' instead",
        "zh": "不要提及任何方式、药物、剂量、高度或产品；改说“你的安全”",
        "hi": "कोई तरीका, दवा, मात्रा, ऊँचाई या सामान न लिखें; 'आपकी सुरक्षा' कहें",
        "hi-Latn": "koi tarika, dawa, matra ya saman na likhein; 'aapki safety' kahein",
    },
    "suicide_framing": {
        "en": "say 'died by suicide' or 'attempted suicide', never 'committed' or 'successful'",
        "zh": "用“因自杀离世”或“自杀未遂”，不要说“自杀成功/失败”",
        "hi": "'आत्महत्या से मृत्यु' या 'आत्महत्या का प्रयास' लिखें, 'सफल/असफल' नहीं",
        "hi-Latn": "'suicide se maut' ya 'suicide ki koshish' likhein, 'safal' ya 'commit' nahi",
    },
    "blame": {
        "en": "no judgement: say 'it sounds like things are really hard right now'",
        "zh": "不要评判，改说“听起来你现在真的很难受”",
        "hi": "कोई दोष न दें: 'लगता है अभी सब बहुत मुश्किल है' कहें",
        "hi-Latn": "koi ilzaam nahi: 'lagta hai abhi sab bahut mushkil hai' kahein",
    },
    "sensational": {
        "en": "use calm, factual words; leave out 'epidemic', 'skyrocketing' and the like",
        "zh": "用平实的词语，不要用“激增”“泛滥”之类的说法",
        "hi": "शांत, तथ्यात्मक शब्द लिखें; 'महामारी' जैसे शब्द नहीं",
        "hi-Latn": "shant, seedhe shabd likhein; 'mahamari' jaise shabd nahi",
    },
    "secrecy": {
        "en": "never promise secrecy; say 'I may need to bring in people who can keep you safe'",
        "zh": "不要承诺保密；改说“为了你的安全，我可能需要请专业的人一起帮你”",
        "hi": "राज़ रखने का वादा न करें; कहें 'आपकी सुरक्षा के लिए मुझे और लोगों की मदद लेनी पड़ सकती है'",
        "hi-Latn": (
            "raaz rakhne ka vaada na karein; kahein 'aapki safety ke liye mujhe aur logon ki madad leni pad sakti hai'"
        ),
    },
    "missing_help": {
        "en": "add the hotlines for the person's region ({hotlines}) or offer to connect them with help",
        "zh": "加上此人所在地区的热线（{hotlines}），或主动提出帮他联系专业帮助",
        "hi": "व्यक्ति के क्षेत्र की हेल्पलाइन ({hotlines}) जोड़ें या मदद से जोड़ने की पेशकश करें",
        "hi-Latn": "unke area ki helpline ({hotlines}) jodein ya madad se jodne ki offer karein",
    },
}

DESCRIPTIONS: dict[str, str] = {
    "method_detail": "names a method, means, dose, height or product",
    "suicide_framing": "frames suicide as a crime, a success or a failure",
    "blame": "blames or shames the person",
    "sensational": "uses sensational words",
    "secrecy": "promises a secrecy that could stop help",
    "missing_help": "gives no way to get help",
    "empty": "is empty",
}
