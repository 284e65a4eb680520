//! Reading tabular exports (CSV in UTF-8 or GBK, XLSX, JSON arrays) into header + rows of cells.

use super::Problem;
use crate::i18n::Msg;
use calamine::{Data, DataType, Reader};
use chrono::NaiveDateTime;
use serde_json::Value;
use std::io::Cursor;

/// One cell as read.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Bool(bool),
    /// A real date cell of a spreadsheet.
    DateTime(NaiveDateTime),
}

impl Cell {
    /// The cell as text (numbers without a trailing `.0` when whole).
    pub fn text(&self) -> Option<String> {
        match self {
            Cell::Empty => None,
            Cell::Text(s) => Some(s.clone()),
            Cell::Number(n) => Some(if n.fract() == 0.0 && n.abs() < 1e15 {
                format!("{}", *n as i64)
            } else {
                n.to_string()
            }),
            Cell::Bool(b) => Some(b.to_string()),
            Cell::DateTime(d) => Some(d.format("%Y-%m-%d %H:%M:%S").to_string()),
        }
    }
}

/// A data row with the row number a person would look for (spreadsheet row, CSV record line,
/// JSON array position).
#[derive(Debug, Clone)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<Cell>,
}

/// A file read as a table.
#[derive(Debug, Clone, Default)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    /// What the row numbers count ("row" or "record").
    pub encoding: &'static str,
}

/// Decodes CSV bytes: UTF-8 (with or without BOM), else GBK/GB18030.
pub fn decode_text(bytes: &[u8]) -> Result<(String, &'static str), Msg> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(rest)
            .map(|s| (s.to_string(), "UTF-8 (BOM)"))
            .map_err(|e| {
                let at = e.valid_up_to() + 3;
                Msg::new(
                    format!("以 UTF-8 BOM 开头却不是 UTF-8(第 {at} 字节)"),
                    format!("starts with a UTF-8 BOM but is not UTF-8 (byte {at})"),
                )
            });
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok((s.to_string(), "UTF-8"));
    }
    let (text, _, had_errors) = encoding_rs::GB18030.decode(bytes);
    if had_errors {
        return Err(Msg::new(
            "既不是 UTF-8 也不是 GBK/GB18030 文本",
            "is neither UTF-8 nor GBK/GB18030 text",
        ));
    }
    Ok((text.into_owned(), "GBK"))
}

/// Reads CSV text. Rows are numbered by the line their record starts on.
pub fn read_csv(text: &str, encoding: &'static str) -> Result<Table, Problem> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| {
            Problem::line(
                1,
                Msg::new(
                    format!("无法读取表头:{e}"),
                    format!("cannot read the header: {e}"),
                ),
            )
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    // Line numbers are counted from byte offsets: the csv crate's own count is one short on
    // CRLF files (it starts the next record at the LF of the previous one).
    let bytes = text.as_bytes();
    let (mut seen_byte, mut seen_lines) = (0usize, 1usize);
    let mut line_at = |byte: usize| {
        let mut b = byte.min(bytes.len());
        while b < bytes.len() && (bytes[b] == b'\r' || bytes[b] == b'\n') {
            b += 1;
        }
        if b >= seen_byte {
            seen_lines += bytes[seen_byte..b].iter().filter(|c| **c == b'\n').count();
            seen_byte = b;
        }
        seen_lines
    };
    for rec in rdr.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            Problem::line(
                line,
                Msg::new(format!("不是有效的 CSV:{e}"), format!("not valid CSV: {e}")),
            )
        })?;
        let number = rec.position().map_or(0, |p| line_at(p.byte() as usize));
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        rows.push(Row {
            number,
            cells: rec
                .iter()
                .map(|c| {
                    if c.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(c.to_string())
                    }
                })
                .collect(),
        });
    }
    Ok(Table {
        headers,
        rows,
        encoding,
    })
}

fn data_cell(d: &Data) -> Cell {
    match d {
        Data::Empty | Data::Error(_) => Cell::Empty,
        Data::String(s) if s.trim().is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(_) | Data::DateTimeIso(_) => match d.as_datetime() {
            Some(t) => Cell::DateTime(t),
            None => Cell::Text(d.to_string()),
        },
        Data::DurationIso(s) => Cell::Text(s.clone()),
    }
}

/// Reads the first non-empty sheet of an XLSX workbook. Rows are numbered as in Excel.
pub fn read_xlsx(bytes: &[u8]) -> Result<Table, Problem> {
    let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| {
        Problem::file(Msg::new(
            format!("不是可读取的 Excel 工作簿:{e}"),
            format!("not a readable Excel workbook: {e}"),
        ))
    })?;
    let names = wb.sheet_names().to_owned();
    for name in names {
        let range = wb.worksheet_range(&name).map_err(|e| {
            Problem::file(Msg::new(
                format!("工作表 {name}:{e}"),
                format!("sheet {name}: {e}"),
            ))
        })?;
        let Some((row0, _)) = range.start() else {
            continue;
        };
        let mut it = range.rows();
        let Some(header) = it.next() else { continue };
        let headers = header
            .iter()
            .map(|c| c.to_string().trim().to_string())
            .collect();
        let mut rows = Vec::new();
        for (i, r) in it.enumerate() {
            let cells: Vec<Cell> = r.iter().map(data_cell).collect();
            if cells.iter().all(|c| *c == Cell::Empty) {
                continue;
            }
            rows.push(Row {
                number: row0 as usize + i + 2,
                cells,
            });
        }
        return Ok(Table {
            headers,
            rows,
            encoding: "XLSX",
        });
    }
    Err(Problem::file(Msg::new(
        "工作簿里没有含数据的工作表",
        "the workbook has no sheet with data",
    )))
}

fn json_cell(v: &Value) -> Cell {
    match v {
        Value::Null => Cell::Empty,
        Value::String(s) if s.trim().is_empty() => Cell::Empty,
        Value::String(s) => Cell::Text(s.clone()),
        Value::Number(n) => Cell::Number(n.as_f64().unwrap_or(0.0)),
        Value::Bool(b) => Cell::Bool(*b),
        other => Cell::Text(other.to_string()),
    }
}

/// Reads a JSON array of objects (or an object holding one such array). Rows are numbered by
/// their position in the array, from 1.
pub fn read_json(text: &str) -> Result<Table, Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let v: Value = serde_json::from_str(text).map_err(|e| {
        Problem::line(
            e.line(),
            Msg::new(
                format!("第 {} 列不是有效的 JSON:{e}", e.column()),
                format!("not valid JSON at column {}: {e}", e.column()),
            ),
        )
    })?;
    let items = match &v {
        Value::Array(a) => a.clone(),
        Value::Object(o) => o
            .values()
            .find_map(|x| x.as_array().cloned())
            .ok_or_else(|| {
                Problem::file(Msg::new(
                    "该 JSON 对象里没有记录数组",
                    "the JSON object holds no array of records",
                ))
            })?,
        _ => {
            return Err(Problem::file(Msg::new(
                "该 JSON 不是记录数组",
                "the JSON is not an array of records",
            )))
        }
    };
    let mut headers: Vec<String> = Vec::new();
    for item in &items {
        if let Some(o) = item.as_object() {
            for k in o.keys() {
                if !headers.iter().any(|h| h == k) {
                    headers.push(k.clone());
                }
            }
        }
    }
    let mut rows = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let Some(o) = item.as_object() else {
            return Err(Problem::row(
                i + 1,
                None,
                Msg::new("不是 JSON 对象", "is not a JSON object"),
            ));
        };
        rows.push(Row {
            number: i + 1,
            cells: headers
                .iter()
                .map(|h| o.get(h).map_or(Cell::Empty, json_cell))
                .collect(),
        });
    }
    Ok(Table {
        headers,
        rows,
        encoding: "JSON",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_utf8_bom_and_gbk() {
        let (s, enc) = decode_text("\u{feff}工单编号".as_bytes()).unwrap();
        assert_eq!((s.as_str(), enc), ("工单编号", "UTF-8 (BOM)"));
        let (gbk, _, _) = encoding_rs::GBK.encode("工单编号,满意度");
        let (s, enc) = decode_text(&gbk).unwrap();
        assert_eq!((s.as_str(), enc), ("工单编号,满意度", "GBK"));
        assert!(decode_text(&[0xff, 0xff, 0xff]).is_err());
    }

    #[test]
    fn csv_rows_are_numbered_by_their_first_line() {
        let t = read_csv("a,b\n1,\"x\ny\"\n2,z\n", "UTF-8").unwrap();
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].number, 2);
        assert_eq!(t.rows[1].number, 4);
        let crlf = read_csv("a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n3,w\r\n", "UTF-8").unwrap();
        let lines: Vec<usize> = crlf.rows.iter().map(|r| r.number).collect();
        assert_eq!(lines, [2, 4, 5]);
        assert_eq!(t.rows[0].cells[1], Cell::Text("x\ny".into()));
    }

    #[test]
    fn json_errors_name_the_line() {
        let e = read_json("[\n{\"a\":1,\n\"b\":006}]").unwrap_err();
        assert_eq!(e.line, Some(3));
    }
}
