//! A small form: text, date and choice fields with a focus and a cursor measured in characters
//! (drawn by display width). Dialogs are built from it.

/// What a field holds.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldKind {
    /// Free text.
    Text,
    /// A date `YYYY-MM-DD` (or a time, `YYYY-MM-DD HH:MM`).
    Date,
    /// One of fixed options (labels), cycled with ←/→.
    Choice {
        options: Vec<String>,
        selected: usize,
    },
    /// Type to filter a list; ←/→ (and ↑/↓) move the highlight through the matching ones,
    /// and the highlighted one is what the field holds (`picked`).
    Pick {
        options: Vec<String>,
        /// The highlighted match (an index into `matches()`).
        selected: usize,
        /// A multi-select: the names taken so far (Space takes or drops the highlighted
        /// one, or the typed name when nothing matches). None for a single pick.
        chosen: Option<Vec<String>>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub key: &'static str,
    pub label: String,
    pub kind: FieldKind,
    pub value: String,
    /// Cursor position in characters.
    pub cursor: usize,
    pub required: bool,
    /// A hint shown after the field.
    pub hint: String,
    /// Shown, not edited.
    pub read_only: bool,
    /// The whole value is selected: typing replaces it, a movement keeps it.
    pub all_selected: bool,
    /// Rows it takes in a dialog: 1, or more for long text, which then wraps.
    pub lines: u16,
}

impl Field {
    pub fn text(key: &'static str, label: &str, value: &str) -> Field {
        Field {
            key,
            label: label.to_string(),
            kind: FieldKind::Text,
            value: value.to_string(),
            cursor: value.chars().count(),
            required: false,
            hint: String::new(),
            read_only: false,
            all_selected: false,
            lines: 1,
        }
    }
    /// Long text (a plan, a reason, what was said): shown over `lines` rows, wrapped, the
    /// cursor's row kept in view.
    pub fn long(mut self, lines: u16) -> Field {
        self.lines = lines.max(1);
        self
    }
    pub fn date(key: &'static str, label: &str, value: &str) -> Field {
        Field {
            kind: FieldKind::Date,
            ..Field::text(key, label, value)
        }
    }
    pub fn choice(key: &'static str, label: &str, options: Vec<String>, selected: usize) -> Field {
        let value = options.get(selected).cloned().unwrap_or_default();
        Field {
            kind: FieldKind::Choice { options, selected },
            ..Field::text(key, label, &value)
        }
    }
    pub fn pick(key: &'static str, label: &str, options: Vec<String>, value: &str) -> Field {
        Field {
            kind: FieldKind::Pick {
                options,
                selected: 0,
                chosen: None,
            },
            ..Field::text(key, label, value)
        }
    }
    /// Several names from `options` (or new ones), taken one by one with Space.
    pub fn multi(key: &'static str, label: &str, options: Vec<String>) -> Field {
        Field {
            kind: FieldKind::Pick {
                options,
                selected: 0,
                chosen: Some(Vec::new()),
            },
            ..Field::text(key, label, "")
        }
    }
    /// The names a multi-select holds (empty for any other field).
    pub fn chosen_list(&self) -> &[String] {
        match &self.kind {
            FieldKind::Pick {
                chosen: Some(c), ..
            } => c,
            _ => &[],
        }
    }
    pub fn is_multi(&self) -> bool {
        matches!(
            self.kind,
            FieldKind::Pick {
                chosen: Some(_),
                ..
            }
        )
    }
    /// A multi-select's names with what is highlighted or typed but not yet taken (so that
    /// Enter right after typing a name keeps it).
    pub fn names(&self) -> Vec<String> {
        let mut out = self.chosen_list().to_vec();
        if !self.value.trim().is_empty() {
            let pending = self
                .picked()
                .unwrap_or_else(|| self.value.trim().to_string());
            if !out.contains(&pending) {
                out.push(pending);
            }
        }
        out
    }
    /// Nothing entered (a multi-select: no name taken or typed).
    pub fn is_blank(&self) -> bool {
        self.value.trim().is_empty() && self.chosen_list().is_empty()
    }
    /// A multi-select: takes the highlighted match (or the typed name when nothing matches),
    /// or drops it when taken already; the filter is cleared. Other fields ignore it.
    pub fn toggle(&mut self) {
        let name = self
            .picked()
            .unwrap_or_else(|| self.value.trim().to_string());
        let FieldKind::Pick {
            chosen: Some(c), ..
        } = &mut self.kind
        else {
            return;
        };
        if name.is_empty() {
            return;
        }
        match c.iter().position(|x| *x == name) {
            Some(i) => {
                c.remove(i);
            }
            None => c.push(name),
        }
        self.value.clear();
        self.cursor = 0;
        self.refilter();
    }
    pub fn required(mut self) -> Field {
        self.required = true;
        self
    }
    pub fn hint(mut self, h: &str) -> Field {
        self.hint = h.to_string();
        self
    }
    /// Opens with the whole value selected (typing replaces it).
    pub fn select_all(mut self) -> Field {
        self.all_selected = !self.value.is_empty();
        self
    }
    pub fn read_only(mut self) -> Field {
        self.read_only = true;
        self
    }
    pub fn is_editable(&self) -> bool {
        !self.read_only && !matches!(self.kind, FieldKind::Choice { .. })
    }

    /// The options of a pick field that contain what is typed.
    pub fn matches(&self) -> Vec<&String> {
        match &self.kind {
            FieldKind::Pick { options, .. } => {
                let q = self.value.trim();
                options
                    .iter()
                    .filter(|o| q.is_empty() || o.contains(q))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    pub fn selected(&self) -> usize {
        match &self.kind {
            FieldKind::Choice { selected, .. } | FieldKind::Pick { selected, .. } => *selected,
            _ => 0,
        }
    }

    /// What a pick field holds: the highlighted match, or, when nothing matches, None.
    pub fn picked(&self) -> Option<String> {
        let m = self.matches();
        m.get(self.selected().min(m.len().saturating_sub(1)))
            .map(|s| s.to_string())
    }

    /// A pick field whose typed name matches no known one (saving it needs a confirmation).
    pub fn is_new_name(&self) -> bool {
        matches!(self.kind, FieldKind::Pick { chosen: None, .. })
            && !self.value.trim().is_empty()
            && self.matches().is_empty()
    }

    /// The value a form reads: a pick's highlighted match (or what was typed when none
    /// matches), anything else's text, trimmed.
    pub fn chosen(&self) -> String {
        match &self.kind {
            FieldKind::Pick { .. } if !self.value.trim().is_empty() => self
                .picked()
                .unwrap_or_else(|| self.value.trim().to_string()),
            _ => self.value.trim().to_string(),
        }
    }

    /// Typing changes the filter: the highlight goes back to the first match, or to the
    /// option typed exactly.
    fn refilter(&mut self) {
        let exact = self
            .matches()
            .iter()
            .position(|o| o.as_str() == self.value.trim());
        if let FieldKind::Pick { selected, .. } = &mut self.kind {
            *selected = exact.unwrap_or(0);
        }
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.value
            .char_indices()
            .nth(chars)
            .map_or(self.value.len(), |(i, _)| i)
    }

    pub fn insert(&mut self, c: char) {
        if !self.is_editable() {
            return;
        }
        if std::mem::take(&mut self.all_selected) {
            self.value.clear();
            self.cursor = 0;
        }
        let at = self.byte_at(self.cursor);
        self.value.insert(at, c);
        self.cursor += 1;
        self.refilter();
    }
    pub fn backspace(&mut self) {
        if std::mem::take(&mut self.all_selected) && self.is_editable() {
            self.value.clear();
            self.cursor = 0;
            self.refilter();
            return;
        }
        if self.cursor == 0 || !self.is_editable() {
            return;
        }
        let at = self.byte_at(self.cursor - 1);
        self.value.remove(at);
        self.cursor -= 1;
        self.refilter();
    }
    pub fn delete(&mut self) {
        if self.cursor < self.value.chars().count() && self.is_editable() {
            let at = self.byte_at(self.cursor);
            self.value.remove(at);
            self.refilter();
        }
    }
    pub fn home(&mut self) {
        self.all_selected = false;
        self.cursor = 0;
    }
    pub fn end(&mut self) {
        self.all_selected = false;
        self.cursor = self.value.chars().count();
    }
    pub fn set(&mut self, v: &str) {
        self.value = v.to_string();
        self.end();
        self.refilter();
    }

    /// Moves a choice (or a pick's suggestion) by `step`.
    pub fn cycle(&mut self, step: isize) {
        match &mut self.kind {
            FieldKind::Choice { options, selected } => {
                let n = options.len() as isize;
                if n > 0 {
                    *selected = ((*selected as isize + step).rem_euclid(n)) as usize;
                    self.value = options[*selected].clone();
                }
            }
            FieldKind::Pick { .. } => {
                // The highlight moves; what was typed (the filter) stays.
                let n = self.matches().len() as isize;
                if let FieldKind::Pick { selected, .. } = &mut self.kind {
                    if n > 0 {
                        *selected = ((*selected as isize).min(n - 1) + step).rem_euclid(n) as usize;
                    }
                }
            }
            _ => {}
        }
    }

    /// Ctrl-U: removes everything before the cursor.
    pub fn kill_to_start(&mut self) {
        if !self.is_editable() {
            return;
        }
        let at = self.byte_at(self.cursor);
        self.value.replace_range(..at, "");
        self.cursor = 0;
        self.all_selected = false;
        self.refilter();
    }

    /// Ctrl-K: removes everything from the cursor on.
    pub fn kill_to_end(&mut self) {
        if !self.is_editable() {
            return;
        }
        let at = self.byte_at(self.cursor);
        self.value.truncate(at);
        self.all_selected = false;
        self.refilter();
    }

    /// Where the word before the cursor starts (white space, then a run of anything else).
    fn word_start(&self) -> usize {
        let chars: Vec<char> = self.value.chars().collect();
        let mut i = self.cursor.min(chars.len());
        while i > 0 && chars[i - 1].is_whitespace() {
            i -= 1;
        }
        while i > 0 && !chars[i - 1].is_whitespace() {
            i -= 1;
        }
        i
    }

    /// Where the word after the cursor ends.
    fn word_end(&self) -> usize {
        let chars: Vec<char> = self.value.chars().collect();
        let mut i = self.cursor.min(chars.len());
        while i < chars.len() && chars[i].is_whitespace() {
            i += 1;
        }
        while i < chars.len() && !chars[i].is_whitespace() {
            i += 1;
        }
        i
    }

    /// Ctrl-W: removes the word before the cursor.
    pub fn delete_word(&mut self) {
        if !self.is_editable() {
            return;
        }
        let from = self.word_start();
        let (a, b) = (self.byte_at(from), self.byte_at(self.cursor));
        self.value.replace_range(a..b, "");
        self.cursor = from;
        self.all_selected = false;
        self.refilter();
    }

    /// Alt-← / Alt-→: to the start of the word before, or the end of the word after.
    pub fn word_left(&mut self) {
        self.all_selected = false;
        self.cursor = self.word_start();
    }
    pub fn word_right(&mut self) {
        self.all_selected = false;
        self.cursor = self.word_end();
    }

    /// The part of the value to show in `room` cells so that the cursor is in view, and the
    /// cursor's column within it (by display width).
    pub fn window(&self, room: usize) -> (String, usize) {
        let room = room.max(1);
        let chars: Vec<char> = self.value.chars().collect();
        let w = |cs: &[char]| crate::text::width(&cs.iter().collect::<String>());
        let cursor = self.cursor.min(chars.len());
        let mut start = 0;
        while start < cursor && w(&chars[start..cursor]) > room - 1 {
            start += 1;
        }
        let mut end = start;
        while end < chars.len() && w(&chars[start..=end]) <= room {
            end += 1;
        }
        (chars[start..end].iter().collect(), w(&chars[start..cursor]))
    }

    /// The value cut into rows of at most `room` cells (between characters), and the
    /// cursor's (row, column in cells). A cursor at the end of a full row starts a new one.
    pub fn rows(&self, room: usize) -> (Vec<String>, (usize, usize)) {
        use unicode_width::UnicodeWidthChar;
        let room = room.max(2);
        let mut rows = vec![String::new()];
        let mut w = 0;
        let mut cur = None;
        for (i, c) in self.value.chars().enumerate() {
            let cw = c.width().unwrap_or(0);
            if w + cw > room {
                rows.push(String::new());
                w = 0;
            }
            if i == self.cursor {
                cur = Some((rows.len() - 1, w));
            }
            rows.last_mut().expect("a row").push(c);
            w += cw;
        }
        let cur = cur.unwrap_or_else(|| {
            if w >= room {
                rows.push(String::new());
                w = 0;
            }
            (rows.len() - 1, w)
        });
        (rows, cur)
    }

    pub fn move_cursor(&mut self, step: isize) {
        self.all_selected = false;
        let n = self.value.chars().count() as isize;
        self.cursor = (self.cursor as isize + step).clamp(0, n) as usize;
    }
}

/// Fields with a focus.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
    /// The values when the form opened, to know whether anything was typed.
    initial: Vec<String>,
}

impl Form {
    pub fn new(fields: Vec<Field>) -> Form {
        let initial = fields.iter().map(|f| f.value.clone()).collect();
        Form {
            fields,
            focus: 0,
            initial,
        }
    }
    /// The form with field `i` focused.
    pub fn focus_on(mut self, i: usize) -> Form {
        self.focus = i.min(self.fields.len().saturating_sub(1));
        self
    }
    pub fn focused(&mut self) -> &mut Field {
        &mut self.fields[self.focus]
    }
    pub fn next(&mut self) {
        self.focus = (self.focus + 1) % self.fields.len();
    }
    pub fn prev(&mut self) {
        self.focus = (self.focus + self.fields.len() - 1) % self.fields.len();
    }
    /// Whether anything differs from how the form opened.
    /// Pre-selects option `index` of the choice field `key`, as if the form had opened so
    /// (not a change the user made).
    pub fn preset_choice(&mut self, key: &str, index: usize) {
        if let Some(i) = self.fields.iter().position(|f| f.key == key) {
            let f = &mut self.fields[i];
            if let FieldKind::Choice { options, selected } = &mut f.kind {
                if let Some(v) = options.get(index) {
                    *selected = index;
                    f.value = v.clone();
                    self.initial[i] = v.clone();
                }
            }
        }
    }
    pub fn is_dirty(&self) -> bool {
        self.fields
            .iter()
            .zip(&self.initial)
            .any(|(f, i)| f.value != *i || !f.chosen_list().is_empty())
    }
    /// A field's value as the form reads it (a pick's highlighted match; see `Field::chosen`).
    pub fn get(&self, key: &str) -> String {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map_or(String::new(), Field::chosen)
    }
    pub fn field(&self, key: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.key == key)
    }
    pub fn field_mut(&mut self, key: &str) -> Option<&mut Field> {
        self.fields.iter_mut().find(|f| f.key == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_chinese_text_by_character() {
        let mut f = Field::text("n", "备注", "已联系");
        f.move_cursor(-1);
        f.insert('上');
        assert_eq!(f.value, "已联上系");
        f.backspace();
        f.backspace();
        assert_eq!(f.value, "已系");
        f.end();
        f.insert('!');
        assert_eq!(f.value, "已系!");
    }

    #[test]
    fn choices_cycle_and_picks_filter() {
        let mut c = Field::choice("c", "渠道", vec!["电话".into(), "走访".into()], 0);
        c.cycle(1);
        assert_eq!(c.value, "走访");
        c.cycle(1);
        assert_eq!(c.value, "电话");
        c.insert('x');
        assert_eq!(c.value, "电话");
        let mut p = Field::pick(
            "u",
            "单位",
            vec!["新金社区".into(), "区住建局".into(), "同心社区".into()],
            "",
        );
        p.set("社区");
        assert_eq!(p.matches().len(), 2);
        assert_eq!(p.chosen(), "新金社区");
        p.cycle(1);
        assert_eq!(p.value, "社区", "the filter stays");
        assert_eq!(p.chosen(), "同心社区");
        p.cycle(1);
        assert_eq!(p.chosen(), "新金社区");
        p.cycle(-1);
        assert_eq!(p.chosen(), "同心社区");
        p.set("东门");
        assert!(p.is_new_name());
        assert_eq!(p.chosen(), "东门");
        p.set("区住建局");
        assert_eq!(p.chosen(), "区住建局");
        assert!(!p.is_new_name());
    }

    #[test]
    fn editing_keys_work_by_character_and_word() {
        let mut f = Field::text("r", "理由", "需要 等待 审批");
        f.delete_word();
        assert_eq!(f.value, "需要 等待 ");
        f.word_left();
        assert_eq!(f.cursor, 3);
        f.kill_to_end();
        assert_eq!(f.value, "需要 ");
        f.word_left();
        f.word_right();
        assert_eq!(f.cursor, 2);
        f.kill_to_start();
        assert_eq!((f.value.as_str(), f.cursor), (" ", 0));
    }

    #[test]
    fn long_text_wraps_into_rows_with_the_cursor_on_its_row() {
        let mut f = Field::text("r", "r", "").long(3);
        for c in "路灯不亮已三个月abc".chars() {
            f.insert(c);
        }
        // 8 wide characters (16 cells) and 3 narrow ones in rows of 10 cells.
        let (rows, cur) = f.rows(10);
        assert_eq!(rows, ["路灯不亮已", "三个月abc"]);
        assert_eq!(cur, (1, 9));
        f.home();
        assert_eq!(f.rows(10).1, (0, 0));
        f.move_cursor(5);
        assert_eq!(f.rows(10).1, (1, 0));
        // A cursor at the end of a full row opens the next one.
        let mut g = Field::text("r", "r", "").long(2);
        for c in "一二三四五".chars() {
            g.insert(c);
        }
        assert_eq!(
            g.rows(10),
            (vec!["一二三四五".into(), String::new()], (1, 0))
        );
    }

    #[test]
    fn a_long_value_scrolls_around_the_cursor() {
        let mut f = Field::text("r", "理由", &"长".repeat(40));
        let (shown, col) = f.window(20);
        assert!(crate::text::width(&shown) <= 20);
        assert_eq!(col, 18, "the cursor at the end stays in view");
        f.home();
        let (shown, col) = f.window(20);
        assert_eq!((crate::text::width(&shown), col), (20, 0));
    }

    #[test]
    fn a_form_knows_when_something_was_typed() {
        let mut f = Form::new(vec![Field::text("a", "A", ""), Field::text("b", "B", "x")]);
        assert!(!f.is_dirty());
        f.next();
        f.focused().insert('y');
        assert!(f.is_dirty());
        assert_eq!(f.get("b"), "xy");
    }
}
