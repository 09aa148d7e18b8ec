"""Every listing offers the same formats and options, and never writes over the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from runners import Cli, sqlite_only

LISTINGS = [
    ("stock", "show"),
    ("stock", "show", "--low"),
    ("stock", "history", "MUG"),
    ("product", "list"),
    ("product", "alias", "list"),
    ("location", "list"),
    ("db", "check"),
]


@pytest.fixture
def stocked(shop: Path, cli: Cli) -> Path:
    cli("stock", "receive", "MUG", "5", "-l", "main")
    cli("stock", "adjust", "MUG", "--by", "-2", "-r", "broke", "-l", "main")
    cli("product", "alias", "add", "etsy", "77", "TEA")
    return shop


def test_a_table_is_plain_aligned_text_when_not_on_a_terminal(stocked: Path, cli: Cli) -> None:
    result = cli("stock", "show")
    assert result.stdout.splitlines() == [
        "sku  location  on_hand  reserved  available  damaged  name",
        "MUG  main            3         0          3        0  Stoneware Mug"]


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "jsonl", "table"])
def test_stock_show_speaks_every_format(stocked: Path, cli: Cli, fmt: str) -> None:
    result = cli("stock", "show", "-f", fmt)
    assert result.exit_code == 0
    expected = {
        "csv": "sku,location,on_hand,reserved,available,damaged,name\n"
               "MUG,main,3,0,3,0,Stoneware Mug\n",
        "tsv": "sku\tlocation\ton_hand\treserved\tavailable\tdamaged\tname\n"
               "MUG\tmain\t3\t0\t3\t0\tStoneware Mug\n",
        "jsonl": '{"sku": "MUG", "location": "main", "on_hand": 3, "reserved": 0, '
                 '"available": 3, "damaged": 0, "name": "Stoneware Mug"}\n',
    }
    if fmt in expected:
        assert result.stdout == expected[fmt]
    elif fmt == "json":
        assert json.loads(result.stdout) == [{"sku": "MUG", "location": "main", "on_hand": 3,
                                              "reserved": 0, "available": 3, "damaged": 0,
                                              "name": "Stoneware Mug"}]
    else:
        assert result.stdout.startswith("sku ")


@pytest.mark.parametrize("command", LISTINGS, ids=" ".join)
@pytest.mark.parametrize("fmt", ["csv", "tsv"])
def test_every_listing_drops_its_header_on_request(stocked: Path, cli: Cli,
                                                   command: tuple[str, ...], fmt: str) -> None:
    with_headers = cli(*command, "-f", fmt).stdout.splitlines()
    without = cli(*command, "-f", fmt, "--no-headers").stdout.splitlines()
    assert without == with_headers[1:]


@pytest.mark.parametrize("command", LISTINGS, ids=" ".join)
def test_every_listing_writes_json_an_empty_one_too(stocked: Path, cli: Cli,
                                                    command: tuple[str, ...]) -> None:
    result = cli(*command, "-f", "json")
    assert result.exit_code == 0
    assert isinstance(json.loads(result.stdout), list)


def test_the_table_drops_its_header_on_request(stocked: Path, cli: Cli) -> None:
    assert cli("stock", "show", "--no-headers").stdout.split()[0] == "MUG"


@pytest.mark.parametrize(("name", "check"), [
    ("stock.csv", lambda text: text.startswith("sku,location,")),
    ("stock.tsv", lambda text: text.startswith("sku\tlocation\t")),
    ("stock.json", lambda text: json.loads(text)[0]["sku"] == "MUG"),
    ("stock.jsonl", lambda text: json.loads(text.splitlines()[0])["sku"] == "MUG"),
    ("stock.txt", lambda text: text.startswith("sku  location")),
])
def test_output_to_a_file_takes_the_format_from_its_extension(
        stocked: Path, cli: Cli, tmp_path: Path, name: str, check: object) -> None:
    result = cli("stock", "show", "-o", str(tmp_path / name))
    assert (result.exit_code, result.stdout) == (0, "")
    assert check((tmp_path / name).read_text(encoding="utf-8"))  # type: ignore[operator]


def test_an_output_file_with_an_unknown_extension_needs_a_format(stocked: Path, cli: Cli,
                                                                 tmp_path: Path) -> None:
    result = cli("stock", "show", "-o", str(tmp_path / "stock.xlsx"))
    assert result.exit_code == 1
    assert "give -f csv|tsv|json|jsonl" in result.stderr
    assert not (tmp_path / "stock.xlsx").exists()
    assert cli("stock", "show", "-f", "csv", "-o", str(tmp_path / "stock.xlsx")).exit_code == 0


def test_an_unknown_format_is_refused(stocked: Path, cli: Cli) -> None:
    result = cli("stock", "show", "-f", "xml")
    assert result.exit_code == 1
    assert "unknown format 'xml'" in result.stderr


@sqlite_only("guards the database file and its -wal/-shm")
@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_output_never_goes_onto_the_database_file(stocked: Path, cli: Cli,
                                                  suffix: str) -> None:
    target = Path(f"{stocked}{suffix}")
    before = target.read_bytes() if target.exists() else None
    result = cli("stock", "show", "-f", "csv", "-o", str(target))
    assert result.exit_code == 1
    assert "refusing to write over" in result.stderr
    assert (target.read_bytes() if target.exists() else None) == before
    assert cli("db", "check").exit_code == 0


def test_a_formula_in_a_name_is_guarded_in_csv_and_tsv(cli: Cli) -> None:
    cli("product", "add", "EVIL-1", "--name", '=HYPERLINK("http://x","click")')
    cli("product", "add", "EVIL-2", "--name", "@SUM(A1)")
    csv_out = cli("product", "list", "-f", "csv", "--no-headers").stdout.splitlines()
    assert csv_out[0].startswith('EVIL-1,"\'=HYPERLINK(""http://x"",""click"")"')
    assert csv_out[1].startswith("EVIL-2,'@SUM(A1),")
    tsv_out = cli("product", "list", "-f", "tsv", "--no-headers").stdout
    assert "\t'=HYPERLINK" in tsv_out


def test_raw_turns_the_formula_guard_off(cli: Cli) -> None:
    cli("product", "add", "EVIL-1", "--name", "=1+1")
    assert cli("product", "list", "-f", "csv", "--no-headers", "--raw").stdout.startswith(
        "EVIL-1,=1+1,")


def test_json_is_never_guarded(cli: Cli) -> None:
    cli("product", "add", "EVIL-1", "--name", "=1+1")
    assert json.loads(cli("product", "list", "-f", "json").stdout)[0]["name"] == "=1+1"


def test_negative_numbers_are_numbers_not_formulas(stocked: Path, cli: Cli) -> None:
    lines = cli("stock", "history", "MUG", "-f", "csv", "--no-headers").stdout.splitlines()
    assert lines[1].split(",")[3] == "-2"


def test_money_has_no_thousands_separators(cli: Cli) -> None:
    cli("product", "add", "BIG", "--name", "Big", "--price", "12345.6")
    assert cli("product", "list", "-f", "csv", "--no-headers").stdout.startswith(
        "BIG,Big,12345.60,")
