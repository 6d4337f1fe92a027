"""One Korean term per English term, in every notebook: the glossary of README.md ("Korean terms").

Every Korean term the notebooks give in brackets must be one of the glossary's, and the variants the
course used to mix (정규화 for regularization, 수치적 안정성, 완전연결, 정상 작동 확인, 학습률 감소, ...)
must not come back. Both checks name the file and line of each finding.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "sources").glob("[0-9][0-9]_*.py"))
README = ROOT / "README.md"

HANGUL = re.compile(r"[\uac00-\ud7a3]")
PAREN = re.compile(r"\(([^()]*[\uac00-\ud7a3][^()]*)\)")
SEED_PREFIX = re.compile(r"^(?:the lecture notes(?: say| write|:)?)\s+", re.I)

# (pattern, what to write instead); each is searched in every markdown/comment line
BANNED = [
    (re.compile(r"(?i)regulari[sz]\w*\**[^()\n]{0,3}\([^()]*정규화"),
     "regularization is 규제 (정규화 is normalization)"),
    (re.compile(r"수치적 안정성"), "수치 안정성"),
    (re.compile(r"완전연결"), "완전 연결 (with the space)"),
    (re.compile(r"정상 작동 확인"), "온전성 검사 (sanity check)"),
    (re.compile(r"학습률 감소"), "학습률 감쇠 (learning-rate decay)"),
    (re.compile(r"지역 경사|국소 경사"), "국소 기울기 (local gradient)"),
    (re.compile(r"상류 경사"), "상류 기울기 (upstream gradient)"),
    (re.compile(r"수치적 경사"), "수치 기울기 (numerical gradient)"),
    (re.compile(r"경사 (?:폭발|소실)"), "기울기 폭발 / 기울기 소실"),
    (re.compile(r"영 중심"), "0 중심 (zero-centered)"),
    (re.compile(r"나쁜 조건"), "악조건 (ill-conditioned)"),
    (re.compile(r"계층"), "층 for every layer (아핀 층, 합성곱 층, 풀링 층, 완전 연결 층), as in 은닉층"),
    (re.compile(r"부동소수점 연산(?! 수)"), "부동소수점 연산 수 (FLOPs)"),
    (re.compile(r"교환기"), "경사 스위처 (gradient switcher; 교환기 is a telephone exchange)"),
    (re.compile(r"자비에"), "Xavier 초기화, as He 초기화"),
    (re.compile(r"평균 제거"), "0 중심화 (zero-centering), as 0 중심"),
    (re.compile(r"뉴턴 스텝"), "뉴턴 단계 (Newton step)"),
]


def glossary(readme_text):
    """The Korean terms of README's glossary table, and the lecture notes' terms named in its notes."""
    section = readme_text.split("## Korean terms", 1)[1].split("\n## ", 1)[0]
    terms, seed_terms = set(), set()
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 3 or not HANGUL.search(cells[1]):
            continue
        for part in re.split(r"\s*/\s*|,\s*", re.sub(r"\s*\([^()]*\)", "", cells[1])):
            terms.add(part.strip())
        expansion = re.match(r"(.+?)\s*\(([^()]*)\)$", cells[1])  # 완전 연결 (계층, 신경망)
        if expansion:
            for suffix in re.split(r",\s*", expansion[2]):
                terms.add(f"{expansion[1]} {suffix}")
        seed_terms.update(re.findall(r"[\uac00-\ud7a3][\uac00-\ud7a3 ]*[\uac00-\ud7a3]", cells[2]))
    return terms, seed_terms


def prose_lines(path):
    """(line number, text) of the lines a reader sees as text: markdown cells and comments."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if path.suffix == ".md" or line.lstrip().startswith("#"):
            yield number, line


def banned_variants(paths):
    findings = []
    for path in paths:
        for number, line in prose_lines(path):
            for pattern, instead in BANNED:
                if pattern.search(line):
                    findings.append(f"{path.name}:{number}: {pattern.search(line)[0]!r}: write {instead}")
    return findings


def unknown_terms(paths, terms, seed_terms):
    findings = []
    for path in paths:
        for number, line in prose_lines(path):
            for bracket in PAREN.findall(line):
                for part in re.split(r"\s*[;,]\s*", bracket):
                    part = part.strip().strip("*").strip()
                    if not HANGUL.search(part):
                        continue
                    seed = SEED_PREFIX.sub("", part)
                    if part in terms or (seed != part and seed in seed_terms | terms):
                        continue
                    findings.append(f"{path.name}:{number}: ({part}) is not in README.md's glossary")
    return findings


def test_the_glossary_is_there():
    terms, seed_terms = glossary(README.read_text(encoding="utf-8"))
    assert {"규제", "정규화", "온전성 검사", "학습률 감쇠", "수치 안정성", "완전 연결",
            "국소 기울기"} <= terms
    assert {"경사 스위처", "아핀 층", "0 중심화", "뉴턴 단계", "부동소수점 연산 수"} <= terms


def test_no_banned_variant_in_the_notebooks_or_the_readme():
    findings = banned_variants([*SOURCES, README])
    assert not findings, "\n".join(findings)


def test_every_bracketed_korean_term_is_in_the_glossary():
    terms, seed_terms = glossary(README.read_text(encoding="utf-8"))
    findings = unknown_terms(SOURCES, terms, seed_terms)
    assert not findings, "\n".join(findings)


@pytest.mark.parametrize(("line", "expected"), [
    ("# add an L2 **regularization (정규화)** term", "regularization is 규제"),
    ("# **L2 regularization (L2 정규화)** adds", "regularization is 규제"),
    ("# **Regularization (정규화).** Many $W$", "regularization is 규제"),
    ("# **Numerical stability (수치적 안정성).** $e^s$", "수치 안정성"),
    ("# A **fully connected (완전연결)** layer", "완전 연결"),
    ("# the lecture's **sanity checks (정상 작동 확인)**", "온전성 검사"),
    ("# **learning-rate decay (학습률 감소)**", "학습률 감쇠"),
    ("# an **affine layer (아핀 계층)** and a hidden layer", "층 for every layer"),
    ("# a **convolutional layer (합성곱 계층)**", "층 for every layer"),
    ("# the **FLOPs (부동소수점 연산)** of a convolution", "부동소수점 연산 수"),
    ("# a **gradient switcher (경사 교환기)**", "경사 스위처"),
    ("# | **Xavier (자비에 초기화)** | 1/sqrt(n) |", "Xavier 초기화"),
    ("# * **zero-centering (평균 제거)**: subtract the mean", "0 중심화"),
    ("# one **Newton step (뉴턴 스텝)**", "뉴턴 단계"),
])
def test_a_planted_variant_is_caught_with_file_and_line(tmp_path, line, expected):
    planted = tmp_path / "99_planted.py"
    planted.write_text("# %% [markdown] id=\"x\"\n# fine text\n" + line + "\n", encoding="utf-8")
    findings = banned_variants([planted])
    assert len(findings) == 1 and findings[0].startswith("99_planted.py:3:") and expected in findings[0]


def test_normalization_is_not_a_banned_variant(tmp_path):
    fine = tmp_path / "99_fine.py"
    fine.write_text("# **batch normalization (배치 정규화)** and **regularization (규제)**\n",
                    encoding="utf-8")
    assert banned_variants([fine]) == []


def test_a_term_missing_from_the_glossary_is_caught(tmp_path):
    terms, seed_terms = glossary(README.read_text(encoding="utf-8"))
    planted = tmp_path / "99_planted.py"
    planted.write_text("# the **gradient (그래디언트)** and the **gradient switcher (경사 스위처)**\n",
                       encoding="utf-8")
    assert unknown_terms([planted], terms, seed_terms) == [
        "99_planted.py:1: (그래디언트) is not in README.md's glossary"]
