"""Administrator forms (Flask-WTF: every one carries a CSRF token)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    PasswordField,
    SelectField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional


class LoginForm(FlaskForm):
    username = StringField("用户名 Username", validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autocapitalize": "none"})
    password = PasswordField("密码 Password", validators=[DataRequired(), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    next = HiddenField()


class LogoutForm(FlaskForm):
    """Signing out is a POST with a CSRF token, so another site cannot sign a user out."""


class FrameUploadForm(FlaskForm):
    file = FileField("抽样框 CSV 文件 Frame CSV file", validators=[FileRequired("请选择文件。 Choose a file.")],
                     render_kw={"accept": ".csv,text/csv"})


class PasswordForm(FlaskForm):
    """A new password chosen by its user; the policy is checked by ``users.change_password``."""

    current = PasswordField("当前密码 Current password", validators=[DataRequired(), Length(max=200)],
                            render_kw={"autocomplete": "current-password"})
    new = PasswordField("新密码 New password", validators=[DataRequired(), Length(max=200)],
                        render_kw={"autocomplete": "new-password"})
    confirm = PasswordField("再次输入新密码 New password again",
                            validators=[DataRequired(), EqualTo("new", "两次输入不一致。 The two entries differ.")],
                            render_kw={"autocomplete": "new-password"})


class SignOutEverywhereForm(FlaskForm):
    """Ends every session of a user (a POST with a CSRF token)."""


class RoundForm(FlaskForm):
    """Create a round and draw its sample (the options of ``flask round create``)."""

    code = StringField("轮次代码 Round code", validators=[DataRequired(), Length(max=32)],
                       render_kw={"placeholder": "2026Q4"})
    name = StringField("名称 Name", validators=[Optional(), Length(max=200)])
    design = SelectField("抽样设计 Design", choices=[
        SelectChoice("take-all", "全部住户 take-all"), SelectChoice("srs", "简单随机 srs"),
        SelectChoice("two-stage", "两阶段 two-stage")])
    per_community = IntegerField("每社区户数 Households per community (srs)",
                                 validators=[Optional(), NumberRange(min=0)])
    proportional = IntegerField("按规模分配的总户数 Total households, proportional to N_c (srs)",
                                validators=[Optional(), NumberRange(min=1)])
    sizes = FileField("各社区户数文件 Sizes file community_code,n (srs)", render_kw={"accept": ".csv,text/csv"})
    buildings = IntegerField("每社区楼栋数 Buildings per community (two-stage)",
                             validators=[Optional(), NumberRange(min=1)])
    per_building = IntegerField("每栋户数 Households per building (two-stage)",
                                validators=[Optional(), NumberRange(min=1)])
    pps = BooleanField("按户数 PPS 抽楼栋 Buildings by PPS of their size")
    reserve = IntegerField("备用批次 Reserve replicates", default=0, validators=[Optional(), NumberRange(min=0)])
    seed = IntegerField("随机种子 Seed (empty: random)", validators=[Optional(), NumberRange(min=0)])
    questionnaire = StringField("问卷版本 Questionnaire version (empty: latest)", validators=[Optional(),
                                                                                      Length(max=32)])
    field_start = DateField("开始日期 Field start", validators=[Optional()])
    field_end = DateField("结束日期 Field end", validators=[Optional()])


class RoundActionForm(FlaskForm):
    """Open or close a round (CSRF only)."""


class ReleaseForm(FlaskForm):
    community = HiddenField(validators=[DataRequired()])


class WeightsForm(FlaskForm):
    """Recompute a round's weights with other parameters (the options of ``flask weights``)."""

    cap = IntegerField("成年人数上限 Cap of adults counted (H1)", default=4,
                       validators=[InputRequired(), NumberRange(min=1, max=20)])
    min_class = IntegerField("每类最少受访户 Fewest respondents per class", default=5,
                             validators=[InputRequired(), NumberRange(min=1, max=1000)])
    trim_low = DecimalField("截尾下限（中位数倍数）Trim: lower bound × median", places=None,
                            validators=[Optional(), NumberRange(min=0.001, max=0.999)])
    trim_high = DecimalField("截尾上限（中位数倍数）Trim: upper bound × median", places=None,
                             validators=[Optional(), NumberRange(min=1.001, max=1e6)])


class MarginsForm(FlaskForm):
    file = FileField("总体边际 CSV Margins CSV (scope,variable,category,total)",
                     validators=[FileRequired("请选择文件。 Choose a file.")], render_kw={"accept": ".csv,text/csv"})
