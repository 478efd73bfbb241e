"""The built-in questionnaire as written in shared/design/questionnaire-civility.md (copied, not derived
from the YAML file, so that the tests compare the file with the design)."""

# item code -> (zh, en) exactly as in the design tables
LABELS = {
    'S1': (
        '您在本市（本社区）连续居住了多长时间？',
        'How long have you lived continuously in this city (community)?',
    ),
    'S2': (
        '您的年龄？',
        'Your age?',
    ),
    'S3': (
        '您的性别？',
        'Your sex?',
    ),
    # H1: added in version 1.1 by issue 8 (the weight of the one adult who answers for the household)
    'H1': (
        '您家中年满18岁、在这里居住满6个月的成年人共有几位（包括您本人）？',
        'How many adults aged 18 or over have lived in your household for at least six months, yourself included?',
    ),
    'A1': (
        '您是否知道本市正在开展（或巩固）全国文明城市创建工作？',
        'Do you know the city is working to win (or keep) the National Civilised City title?',
    ),
    'A2': (
        '您对社会主义核心价值观的内容了解吗？',
        'How familiar are you with the content of the Core Socialist Values?',
    ),
    'A3': (
        '您是否知道您所在社区设有新时代文明实践站（所）？',
        'Do you know whether your community has a civilisation practice station?',
    ),
    'A4': (
        '最近一年，您是否在电视、网络、街头等处看到过公益广告或文明宣传？',
        'In the past year, have you seen public-service ads or civility publicity on TV, online or '
        'in the street?',
    ),
    'A5': (
        '您是否知道本市评选的道德模范或“身边好人”？',
        'Do you know of any moral models or "good people nearby" chosen in this city?',
    ),
    'B1': (
        '您对本市开展文明城市创建工作持什么态度？',
        "What is your attitude towards the city's civilised-city campaign?",
    ),
    'B2': (
        '如有机会，您是否愿意参加社区组织的文明创建相关活动？',
        'Given the chance, would you take part in civility activities organised by your community?',
    ),
    'C1': (
        '总体而言，您对本市文明城市创建的成效是否满意？',
        'Overall, how satisfied are you with the results of the civilised-city campaign?',
    ),
    'C2': (
        '您对所住小区的环境卫生（垃圾清运、楼道整洁）是否满意？',
        '… with sanitation in your residential compound (refuse collection, clean stairwells)?',
    ),
    'C3': (
        '您对本市街道、公园、广场、农贸市场等公共场所的环境卫生是否满意？',
        '… with the cleanliness of streets, parks, squares and markets?',
    ),
    'C4': (
        '您对所在社区的垃圾分类投放设施和收运是否满意？',
        '… with waste-sorting bins and collection in your community?',
    ),
    'C5': (
        '您对本市的交通秩序（车辆礼让行人、停车秩序）是否满意？',
        '… with traffic order (vehicles yielding to pedestrians, parking)?',
    ),
    'C6': (
        '您对本市公共交通（公交线路、准点、服务）是否满意？',
        '… with public transport (routes, punctuality, service)?',
    ),
    'C7': (
        '您对所在社区居委会和物业的管理服务是否满意？',
        "… with the residents' committee and property management?",
    ),
    'C8': (
        '您对在本市办事（政务大厅、社区服务）和看病就医的便利程度是否满意？',
        '… with the convenience of government services and medical care?',
    ),
    'C9': (
        '您对社区周边的文化体育设施和文化活动是否满意？',
        '… with cultural and sports facilities and activities nearby?',
    ),
    'C10': (
        '您对本市食品安全状况是否满意？',
        '… with food safety in the city?',
    ),
    'C11': (
        '您觉得在本地夜间独自外出安全吗？',
        'How safe do you feel going out alone at night here?',
    ),
    'C12': (
        '您对本市空气质量和河湖水环境是否满意？',
        '… with air quality and rivers and lakes?',
    ),
    'D1': (
        '您认为本市市民在公共场所的文明行为（不乱扔垃圾、不随地吐痰、排队礼让）总体如何？',
        "How would you rate residents' behaviour in public places?",
    ),
    'D2': (
        '您认为身边文明养犬（出门牵绳、及时清理粪便）的情况如何？',
        '… responsible dog ownership around you?',
    ),
    'D3': (
        '您认为本市商家诚信经营（明码标价、不欺诈）的情况如何？',
        '… honesty of businesses?',
    ),
    'D4': (
        '您认为您所在社区邻里之间互帮互助、和睦相处的情况如何？',
        '… mutual help and harmony among neighbours?',
    ),
    'D5': (
        '最近一年，您本人参加过志愿服务活动吗？',
        'In the past year, have you done any volunteer service?',
    ),
    'D6': (
        '最近一个月，您家是否按要求分类投放生活垃圾？',
        'In the past month, did your household sort its rubbish as required?',
    ),
    'E1': (
        '您最希望本社区（本市）在文明创建方面改进的一件事是什么？',
        'What is the one thing you most want your community (city) to improve?',
    ),
    'E2': (
        '在本次填答之前，是否有人告诉过您某些题目应该怎样回答？',
        'Before answering, did anyone tell you how to answer some of these questions?',
    ),
}

# item code -> [(answer code, zh, en), ...] for the items whose answers the tables list
ANSWERS = {
    'S1': [
        (1, '不满6个月', 'Under 6 months'),
        (2, '6个月–1年', '6–12 months'),
        (3, '1–5年', '1–5 years'),
        (4, '5年以上', 'Over 5 years'),
    ],
    'S2': [
        (1, '18岁以下', 'Under 18'),
        (2, '18–35', '18–35'),
        (3, '36–55', '36–55'),
        (4, '56–65', '56–65'),
        (5, '66–70', '66–70'),
        (6, '70岁以上', 'Over 70'),
    ],
    'S3': [
        (1, '男', 'Male'),
        (2, '女', 'Female'),
    ],
    'A1': [
        (1, '知道', 'Yes'),
        (2, '听说过但不太了解', 'Heard of it, not sure what it involves'),
        (3, '不知道', 'No'),
    ],
    'A2': [
        (1, '比较了解', 'Quite familiar'),
        (2, '知道一些', 'Know some'),
        (3, '不了解', 'Not familiar'),
        (9, '说不清', "Can't say"),
    ],
    'A3': [
        (1, '知道，设有', 'Yes, it has one'),
        (2, '知道，没有设', 'Yes, it has none'),
        (3, '不知道', "Don't know"),
    ],
    'A4': [
        (1, '经常看到', 'Often'),
        (2, '偶尔看到', 'Occasionally'),
        (3, '没看到', 'Never'),
        (9, '说不清', "Can't say"),
    ],
    'A5': [
        (1, '能说出至少一位', 'Can name one'),
        (2, '听说过，说不出名字', 'Heard of them'),
        (3, '不知道', 'No'),
    ],
    'B1': [
        (1, '非常支持', 'Strongly support'),
        (2, '支持', 'Support'),
        (3, '无所谓', 'Indifferent'),
        (4, '不支持', 'Oppose'),
        (9, '说不清', "Can't say"),
    ],
    'B2': [
        (1, '愿意', 'Willing'),
        (2, '比较愿意', 'Fairly willing'),
        (3, '不太愿意', 'Not very willing'),
        (4, '不愿意', 'Unwilling'),
        (9, '说不清', "Can't say"),
    ],
    'C11': [
        (1, '很安全', 'Very safe'),
        (2, '安全', 'Safe'),
        (3, '基本安全', 'Fairly safe'),
        (4, '不太安全', 'Not very safe'),
        (5, '不安全', 'Unsafe'),
        (9, '说不清', "Can't say"),
    ],
    'D5': [
        (1, '3次及以上', '3+ times'),
        (2, '1–2次', '1–2 times'),
        (3, '没有参加过', 'None'),
    ],
    'D6': [
        (1, '每次都分类', 'Every time'),
        (2, '大多数时候', 'Mostly'),
        (3, '偶尔', 'Occasionally'),
        (4, '从不', 'Never'),
        (9, '不清楚', "Don't know"),
    ],
    'E2': [
        (1, '没有', 'No'),
        (2, '有', 'Yes'),
        (3, '不愿回答', 'Prefer not to say'),
    ],
}

# Scale R5 (C items except C11) and G5 (D1-D4)
R5 = [
    (1, '非常满意', 'Very satisfied'),
    (2, '满意', 'Satisfied'),
    (3, '一般', 'Neutral'),
    (4, '不满意', 'Dissatisfied'),
    (5, '非常不满意', 'Very dissatisfied'),
    (9, '说不清', "Can't say"),
]
R5_SCORES = {1: 100, 2: 80, 3: 60, 4: 30, 5: 0}
G5 = [
    (1, '很好', 'Very good'),
    (2, '较好', 'Good'),
    (3, '一般', 'Average'),
    (4, '较差', 'Poor'),
    (5, '很差', 'Very poor'),
    (9, '说不清', "Can't say"),
]
C_ITEMS = [f"C{i}" for i in range(1, 13)]

POSITIVE = {
    'A1': {1}, 'A2': {1, 2}, 'A3': {1, 2}, 'A4': {1, 2}, 'A5': {1, 2},
    'B1': {1, 2}, 'B2': {1, 2},
    **{code: {1, 2} for code in C_ITEMS}, 'C11': {1, 2, 3},
    'D1': {1, 2}, 'D2': {1, 2}, 'D3': {1, 2}, 'D4': {1, 2}, 'D5': {1, 2}, 'D6': {1, 2},
}
SCORED = {code: R5_SCORES for code in C_ITEMS}  # C11 has its own map, equal to R5's: 100/80/60/30/0

TAGS = {
    **{f"A{i}": ("AW",) for i in range(1, 6)},
    'B1': ("SU",), 'B2': ("SU",),
    **{code: ("SA",) for code in C_ITEMS}, 'C11': ("SA", "SF"),
    'D1': ("CB",), 'D2': ("CB",), 'D3': ("CB",), 'D4': ("CB",), 'D5': ("PA",), 'D6': ("PA",),
    'E2': ("QC",),
}

# indicator code -> (zh, kind, items)
INDICATORS = {
    'awareness_rate': ('知晓率', 'rate', ['A1', 'A2', 'A3', 'A4', 'A5']),
    'support_rate': ('支持率', 'rate', ['B1', 'B2']),
    'satisfaction_rate': ('满意率', 'rate', C_ITEMS),
    'satisfaction_index': ('满意度指数', 'score', C_ITEMS),
    'civic_behaviour_rate': ('文明行为好评率', 'rate', ['D1', 'D2', 'D3', 'D4']),
    'participation_rate': ('参与率', 'rate', ['D5', 'D6']),
    'safety_rate': ('安全感', 'rate', ['C11']),
}
