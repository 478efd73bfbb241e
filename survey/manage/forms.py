"""Administrator forms (Flask-WTF: every one carries a CSRF token)."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length


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
